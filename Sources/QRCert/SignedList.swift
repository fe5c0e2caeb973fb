import QRCertCrypto
import QRCertFormat

/// The two kinds of signed list (docs/TRUST.md). The kind is the COSE content type in the protected
/// header, so one kind can never be passed off as the other even when the same key signs both.
public enum ListKind: String, Sendable, Equatable {
    /// The issuer keys an authority's root trusts.
    case trustList = "trust-list"
    /// Certificate ids suspended or revoked.
    case revocations

    /// COSE `content type` (header label 3) of this kind.
    var contentType: String { "application/vnd.qrcert.\(rawValue)+cbor" }

    /// What a person calls it.
    public var noun: String { self == .trustList ? "trust list" : "revocation list" }

    /// Errors of a trust list are stage `trust`, of a revocation list stage `revocation`; codes are
    /// spelled out in full at each call so that they can be found with grep.
    func error(_ trustListCode: String, _ revocationsCode: String, _ message: String, hint: String? = nil) -> QRCertError {
        self == .trustList
            ? QRCertError(.trust, trustListCode, message, hint: hint)
            : QRCertError(.revocation, revocationsCode, message, hint: hint)
    }
}

/// The envelope both lists share: a tagged COSE_Sign1 whose protected header holds `alg`, the content
/// type and the signer's `kid`, over a map with integer keys in core deterministic CBOR.
///
/// Decoding checks the structure only; `verify(with:)` checks the signature. Nothing in the body is
/// read before the signature verifies (`TrustList.open`, `RevocationList.open`).
struct SignedList {
    /// COSE header label of the content type (RFC 9052 §3.1).
    static let contentTypeLabel: Int64 = 3
    /// Most CBOR items in a list's body: a trust list entry is about 25 items, so some 4 000 keys.
    static let maxItems = 100_000
    /// The only format version written and read.
    static let version: Int64 = 1

    let kind: ListKind
    let cose: CoseSign1
    let signerKeyID: [UInt8]
    let algorithm: SignatureAlgorithm
    /// SHA-256 of the whole file: what a verifier remembers with the sequence number.
    let digest: [UInt8]

    /// Reads the envelope of `bytes`, naming `source` in errors.
    static func decode(_ bytes: [UInt8], kind: ListKind, source: String) throws(QRCertError) -> SignedList {
        func bad(_ why: String) -> QRCertError {
            kind.error("TL_BAD_FILE", "RL_BAD_FILE", "\(source) is not a qrcert \(kind.noun): \(why)")
        }
        let cose: CoseSign1
        do throws(QRCertError) {
            cose = try CoseSign1.decode(bytes, options: CBORDecoder.Options(maxItems: 16))
        } catch {
            throw bad(error.message)
        }
        guard cose.tags == [CoseSign1.tag] else { throw bad("expected a COSE_Sign1 tagged 18") }
        guard case .text(let contentType)? = cose.protectedHeader.first(where: { $0.key.int64 == contentTypeLabel })?.value else {
            throw bad("no content type in the protected header")
        }
        guard contentType == kind.contentType else {
            let other: ListKind = kind == .trustList ? .revocations : .trustList
            let found = contentType == other.contentType ? "it is a \(other.noun)" : "its content type is \(contentType)"
            throw kind.error("TL_WRONG_KIND", "RL_WRONG_KIND", "\(source) is not a \(kind.noun): \(found)")
        }
        guard case .bytes(let kid)? = cose.protectedKeyID else { throw bad("no key id (kid) in the protected header") }
        guard let id = cose.protectedAlgorithm?.int64, let algorithm = SignatureAlgorithm(rawValue: id) else {
            throw bad("no supported algorithm (alg) in the protected header")
        }
        return SignedList(kind: kind, cose: cose, signerKeyID: kid, algorithm: algorithm, digest: Digest.sha256(bytes))
    }

    /// Whether the signature verifies with `key` (false also when the key cannot use the declared algorithm).
    func verifies(with key: PublicKey) throws(QRCertError) -> Bool {
        guard key.algorithms.contains(algorithm) else { return false }
        return try key.verify(cose.signature, of: cose.toBeSigned(), algorithm: algorithm)
    }

    /// The signed body as map pairs, only once the signature has verified.
    func body(source: String) throws(QRCertError) -> ListFields {
        let item: CBOR
        do throws(QRCertError) {
            item = try CBORDecoder.decode(cose.payload, options: CBORDecoder.Options(maxItems: Self.maxItems, requirePreferredEncoding: true))
        } catch {
            throw kind.error("TL_BAD_CONTENT", "RL_BAD_CONTENT", "\(source): the signed body is not valid CBOR: \(error.message)")
        }
        guard case .map(let pairs) = item else {
            throw kind.error("TL_BAD_CONTENT", "RL_BAD_CONTENT", "\(source): the signed body is not a CBOR map")
        }
        return ListFields(pairs: pairs, kind: kind, context: source)
    }

    /// Signs `body` with `key` and checks the signature with the public half before returning the file bytes.
    static func sign(_ body: CBOR, kind: ListKind, key: PrivateKey) throws(QRCertError) -> [UInt8] {
        let protected = [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                         CBORPair(.int(contentTypeLabel), .text(kind.contentType)),
                         CBORPair(.int(CoseSign1.kidLabel), .bytes(key.publicKey.keyID))]
        var message = CoseSign1(protectedHeader: protected, payload: CBOREncoder.encode(body, deterministic: true))
        let toBeSigned = message.toBeSigned()
        message.signature = try key.sign(toBeSigned)
        guard try key.publicKey.verify(message.signature, of: toBeSigned, algorithm: key.algorithm) else {
            throw QRCertError(.sign, "SIGN_SELF_CHECK", "the \(kind.noun) signature did not verify with the public key")
        }
        return message.encoded()
    }
}

/// Typed reading of a signed list's map with integer keys: a missing required field, a field of the
/// wrong type or an unknown key is `TL_BAD_CONTENT` / `RL_BAD_CONTENT` (a newer format has a new version).
struct ListFields {
    let pairs: [CBORPair]
    let kind: ListKind
    let context: String

    func bad(_ why: String) -> QRCertError {
        kind.error("TL_BAD_CONTENT", "RL_BAD_CONTENT", "\(context): \(why)")
    }

    /// Fails on a key outside `known`.
    func only(_ known: ClosedRange<Int64>) throws(QRCertError) {
        for pair in pairs {
            guard let key = pair.key.int64, known.contains(key) else { throw bad("unknown field \(pair.key)") }
        }
    }

    func value(_ key: Int64) -> CBOR? { pairs.first { $0.key.int64 == key }?.value }

    func int(_ key: Int64, _ name: String) throws(QRCertError) -> Int64 {
        guard let value = try optionalInt(key, name) else { throw bad("\(name) is missing") }
        return value
    }

    func optionalInt(_ key: Int64, _ name: String) throws(QRCertError) -> Int64? {
        guard let item = value(key) else { return nil }
        guard let value = item.int64 else { throw bad("\(name) must be an integer") }
        return value
    }

    func text(_ key: Int64, _ name: String) throws(QRCertError) -> String {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .text(let text) = item else { throw bad("\(name) must be text") }
        return text
    }

    func optionalText(_ key: Int64, _ name: String) throws(QRCertError) -> String? {
        guard value(key) != nil else { return nil }
        return try text(key, name)
    }

    func bytes(_ key: Int64, _ name: String) throws(QRCertError) -> [UInt8] {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .bytes(let bytes) = item else { throw bad("\(name) must be a byte string") }
        return bytes
    }

    func array(_ key: Int64, _ name: String) throws(QRCertError) -> [CBOR] {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .array(let items) = item else { throw bad("\(name) must be an array") }
        return items
    }

    /// The header fields shared by both kinds: 1 version, 2 sequence, 3 issued at, 4 next update, 5 grace.
    func header() throws(QRCertError) -> ListHeader {
        let version = try int(1, "version")
        guard version == SignedList.version else { throw bad("format version \(version) is not supported (this qrcert reads \(SignedList.version))") }
        let sequence = try int(2, "sequence")
        let issuedAt = try int(3, "issued at")
        let nextUpdate = try int(4, "next update")
        let grace = try int(5, "grace period")
        guard sequence >= 1 else { throw bad("sequence must be at least 1") }
        guard nextUpdate > issuedAt else { throw bad("next update must come after the issue time") }
        guard (0...ListHeader.maxGrace).contains(grace) else { throw bad("grace period must be 0 to \(ListHeader.maxGrace / 86_400) days") }
        return ListHeader(sequence: UInt64(sequence), issuedAt: issuedAt, nextUpdate: nextUpdate, grace: grace)
    }
}

extension ListHeader {
    /// The header fields as map pairs (keys 1 to 5).
    var pairs: [CBORPair] {
        [CBORPair(.int(1), .int(SignedList.version)),
         CBORPair(.int(2), .unsigned(sequence)),
         CBORPair(.int(3), .int(issuedAt)),
         CBORPair(.int(4), .int(nextUpdate)),
         CBORPair(.int(5), .int(grace))]
    }
}

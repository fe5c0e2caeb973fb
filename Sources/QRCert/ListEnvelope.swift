import QRCertCrypto
import QRCertFormat

/// The envelope both lists share: a tagged COSE_Sign1 whose protected header holds `alg`, the content
/// type and the signer's `kid`, over a map with integer keys in core deterministic CBOR.
///
/// Decoding checks the structure only; `verify(with:)` checks the signature. Nothing in the body is
/// read before the signature verifies (`TrustList.open`, `RevocationList.open`).
struct ListEnvelope {
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
    static func decode(_ bytes: [UInt8], kind: ListKind, source: String) throws(QRCertError) -> ListEnvelope {
        func bad(_ why: String) -> QRCertError {
            kind.error("TL_BAD_FILE", "RL_BAD_FILE", "\(source) is not a qrcert \(kind.noun): \(why)")
        }
        guard bytes.count <= kind.maxBytes else {
            throw kind.error("TL_TOO_LARGE", "RL_TOO_LARGE", "\(source) is \(bytes.count) bytes, more than the \(kind.maxBytes >> 20) MiB a \(kind.noun) may be")
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
        return ListEnvelope(kind: kind, cose: cose, signerKeyID: kid, algorithm: algorithm, digest: Digest.sha256(bytes))
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
    static func sign(_ body: CBOR, kind: ListKind, key: any Signer) throws(QRCertError) -> [UInt8] {
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

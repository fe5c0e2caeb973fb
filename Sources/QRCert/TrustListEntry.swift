import QRCertCrypto
import QRCertFormat

/// One issuer key of a trust list: whose it is, what it may sign, when, and whether it is still in service.
///
/// Map: 1 kid, 2 issuer name, 3 public key (SPKI DER) or 4 X.509 certificate (DER), 5 credential
/// types, 6 not before, 7 not after, 8 status (0 active, 1 retired, 2 removed), 9 status time,
/// 10 removal reason.
public struct TrustListEntry: Sendable {
    /// Whether a key is in service.
    public enum Status: Sendable, Equatable {
        /// Signing.
        case active
        /// Signs nothing new since `at`; what it signed stays valid until the key's `notAfter`.
        case retired(at: Int64)
        /// Compromised: everything it signed is refused.
        case removed(at: Int64, reason: String)

        /// `active`, `retired` or `removed`.
        public var word: String {
            switch self {
            case .active: return "active"
            case .retired: return "retired"
            case .removed: return "removed"
            }
        }
    }

    /// Credential type that lets a key sign anything, foreign (EU DCC) payloads included.
    public static let anyType = "*"

    /// The key id payloads name it by: of the SPKI, or of the certificate (EU DCC rule).
    public let keyID: [UInt8]
    /// The issuing authority that holds the key.
    public let issuer: String
    /// The verifying key.
    public let key: PublicKey
    /// The certificate, when the entry is one.
    public let certificate: Certificate?
    /// Credential types (`vn.dl`, ...) it may sign; `*` for any.
    public let types: [String]
    /// Start of the key's validity, seconds since 1970 UTC.
    public let notBefore: Int64
    /// End of the key's validity (exclusive): nothing it signed verifies after it.
    public internal(set) var notAfter: Int64
    /// In service, retired or removed.
    public internal(set) var status: Status

    /// An active bare public key.
    public init(key: PublicKey, issuer: String, types: [String], notBefore: Int64, notAfter: Int64) throws(QRCertError) {
        try self.init(keyID: key.keyID, key: key, certificate: nil, issuer: issuer, types: types,
                      notBefore: notBefore, notAfter: notAfter, status: .active)
    }

    /// An active X.509 signer certificate; its window is the certificate's unless narrowed.
    public init(certificate: Certificate, issuer: String, types: [String], notBefore: Int64? = nil, notAfter: Int64? = nil) throws(QRCertError) {
        if let problem = certificate.signerProblem {
            throw QRCertError(.trust, "CERT_NOT_SIGNER", "certificate \(certificate.subject) cannot sign payloads: \(problem)",
                              hint: "add the issuer's signer (document signing) certificate, not its CA's")
        }
        try self.init(keyID: certificate.keyID, key: certificate.publicKey, certificate: certificate, issuer: issuer, types: types,
                      notBefore: notBefore ?? certificate.notBefore, notAfter: notAfter ?? certificate.notAfter, status: .active)
    }

    private init(keyID: [UInt8], key: PublicKey, certificate: Certificate?, issuer: String, types: [String],
                 notBefore: Int64, notAfter: Int64, status: Status) throws(QRCertError) {
        guard notAfter > notBefore else {
            throw QRCertError(.trust, "TL_BAD_WINDOW", "key \(Hex.encode(keyID)): validity ends (\(Timestamp.iso(notAfter))) before it starts (\(Timestamp.iso(notBefore)))")
        }
        guard !types.isEmpty else {
            throw QRCertError(.trust, "TL_BAD_TYPES", "key \(Hex.encode(keyID)): no credential types", hint: "e.g. --types vn.dl,vn.tp")
        }
        for type in types where type.utf8.isEmpty || type.utf8.count > 32 || type.contains(",") || DisplayText.containsUnsafe(type) {
            throw QRCertError(.trust, "TL_BAD_TYPES", "key \(Hex.encode(keyID)): credential type \"\(type)\" must be 1 to 32 bytes without commas or control characters")
        }
        guard Set(types).count == types.count else {
            throw QRCertError(.trust, "TL_BAD_TYPES", "key \(Hex.encode(keyID)): a credential type is listed twice")
        }
        self.keyID = keyID
        self.key = key
        self.certificate = certificate
        self.issuer = try Self.checkedName(issuer, what: "issuer name")
        self.types = types
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.status = status
    }

    /// Whether the key may sign credentials of `type` (nil: a foreign payload with no qrcert type).
    public func allows(_ type: String?) -> Bool {
        types.contains(Self.anyType) || type.map { types.contains($0) } == true
    }

    /// Trimmed NFC text of 1 to 200 bytes.
    static func checkedName(_ text: String, what: String) throws(QRCertError) -> String {
        guard let trimmed = ListText.normalized(text) else {
            throw QRCertError(.trust, "TL_BAD_NAME", "\(what) must be 1 to 200 bytes of text on one line")
        }
        return trimmed
    }

    // MARK: - CBOR

    func cbor() -> CBOR {
        var pairs = [CBORPair(.int(1), .bytes(keyID)), CBORPair(.int(2), .text(issuer))]
        if let certificate {
            pairs.append(CBORPair(.int(4), .bytes(certificate.derBytes)))
        } else {
            pairs.append(CBORPair(.int(3), .bytes(key.spkiDER)))
        }
        pairs += [CBORPair(.int(5), .array(types.map { .text($0) })),
                  CBORPair(.int(6), .int(notBefore)),
                  CBORPair(.int(7), .int(notAfter))]
        switch status {
        case .active:
            pairs.append(CBORPair(.int(8), .int(0)))
        case .retired(let at):
            pairs += [CBORPair(.int(8), .int(1)), CBORPair(.int(9), .int(at))]
        case .removed(let at, let reason):
            pairs += [CBORPair(.int(8), .int(2)), CBORPair(.int(9), .int(at)), CBORPair(.int(10), .text(reason))]
        }
        return .map(pairs)
    }

    /// Reads an entry; the kid must be the one its key or certificate gives, so no list can alias a kid.
    init(cbor item: CBOR, context: String) throws(QRCertError) {
        guard case .map(let pairs) = item else {
            throw QRCertError(.trust, "TL_BAD_CONTENT", "\(context): must be a map")
        }
        let fields = ListFields(pairs: pairs, kind: .trustList, context: context)
        try fields.only(1...10)
        let kid = try fields.bytes(1, "kid")
        let key: PublicKey, certificate: Certificate?
        switch (fields.value(3), fields.value(4)) {
        case (.some, nil):
            do throws(QRCertError) {
                key = try PublicKey.der(try fields.bytes(3, "public key"))
            } catch {
                throw fields.bad("public key: \(error.message)")
            }
            certificate = nil
        case (nil, .some):
            let parsed: Certificate
            do throws(QRCertError) {
                parsed = try Certificate.der(try fields.bytes(4, "certificate"))
            } catch {
                throw fields.bad("certificate: \(error.message)")
            }
            if let problem = parsed.signerProblem { throw fields.bad("certificate cannot sign payloads: \(problem)") }
            certificate = parsed
            key = parsed.publicKey
        default:
            throw fields.bad("must hold exactly one of a public key (3) and a certificate (4)")
        }
        let expected = certificate?.keyID ?? key.keyID
        guard kid == expected else { throw fields.bad("kid \(Hex.encode(kid)) is not the key's own \(Hex.encode(expected))") }
        var types: [String] = []
        for type in try fields.array(5, "types") {
            guard case .text(let text) = type else { throw fields.bad("types must be text") }
            types.append(text)
        }
        let status: Status
        let code = try fields.int(8, "status")
        switch code {
        case 0:
            guard fields.value(9) == nil, fields.value(10) == nil else { throw fields.bad("an active key has no status time or reason") }
            status = .active
        case 1:
            guard fields.value(10) == nil else { throw fields.bad("a retired key has no removal reason") }
            status = .retired(at: try fields.int(9, "retired at"))
        case 2:
            let reason = try fields.text(10, "reason")
            guard ListText.normalized(reason)?.utf8.elementsEqual(reason.utf8) == true else { throw fields.bad("reason is not 1 to 200 bytes of text on one line") }
            status = .removed(at: try fields.int(9, "removed at"), reason: reason)
        default:
            throw fields.bad("status \(code) is not 0 (active), 1 (retired) or 2 (removed)")
        }
        do throws(QRCertError) {
            try self.init(keyID: kid, key: key, certificate: certificate, issuer: try fields.text(2, "issuer"), types: types,
                          notBefore: try fields.int(6, "not before"), notAfter: try fields.int(7, "not after"), status: status)
        } catch where error.code != "TL_BAD_CONTENT" {
            throw fields.bad(error.message)
        }
    }
}

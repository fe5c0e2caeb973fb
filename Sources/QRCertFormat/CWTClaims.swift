/// The claims of a CBOR Web Token (RFC 8392 §3), type-checked strictly.
///
/// A claim of the wrong type fails at stage `content` with `CWT_BAD_CLAIM`: a payload whose
/// signature verifies but whose claims have the wrong shape is still rejected.
public struct CWTClaims: Sendable, Equatable {
    /// Registered claim keys (RFC 8392 §4), plus the private ones qrcert and the EU DCC use.
    public enum Key {
        public static let iss: Int64 = 1
        public static let sub: Int64 = 2
        public static let aud: Int64 = 3
        public static let exp: Int64 = 4
        public static let nbf: Int64 = 5
        public static let iat: Int64 = 6
        public static let cti: Int64 = 7
        /// EU DCC health certificate container (`hcert`), a map.
        public static let hcert: Int64 = -260
        /// qrcert credential: `{1: type, 2: record}` (docs/FORMAT.md §4).
        public static let credential: Int64 = -70000
    }

    /// Issuer (`iss`).
    public var issuer: String?
    /// Subject (`sub`).
    public var subject: String?
    /// Audience (`aud`).
    public var audience: String?
    /// Expiry, seconds since 1970 UTC (`exp`).
    public var expiresAt: Int64?
    /// Not valid before (`nbf`).
    public var notBefore: Int64?
    /// Issued at (`iat`).
    public var issuedAt: Int64?
    /// Certificate id (`cti`).
    public var certificateID: [UInt8]?
    /// Every other claim, in the order found.
    public var others: [CBORPair]

    /// Empty claims.
    public init(issuer: String? = nil, expiresAt: Int64? = nil, notBefore: Int64? = nil, issuedAt: Int64? = nil,
                certificateID: [UInt8]? = nil, others: [CBORPair] = []) {
        self.issuer = issuer
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.certificateID = certificateID
        self.others = others
    }

    private init(issuer: String?, subject: String?, audience: String?, expiresAt: Int64?, notBefore: Int64?, issuedAt: Int64?,
                 certificateID: [UInt8]?, others: [CBORPair]) {
        (self.issuer, self.subject, self.audience) = (issuer, subject, audience)
        (self.expiresAt, self.notBefore, self.issuedAt) = (expiresAt, notBefore, issuedAt)
        (self.certificateID, self.others) = (certificateID, others)
    }

    /// A private or unregistered claim by integer key.
    public subscript(key: Int64) -> CBOR? {
        others.first { $0.key.int64 == key }?.value
    }

    /// Reads a claims map. Registered claims must have their RFC 8392 types; DCC `hcert` must be a map of maps.
    public static func decode(_ item: CBOR) throws(QRCertError) -> CWTClaims {
        guard case .map(let pairs) = item else {
            throw QRCertError(.content, "CWT_NOT_MAP", "CWT claims must be a CBOR map")
        }
        // Each claim into a local, and the claims made once (a `CWTClaims` mutated in place was copied twice).
        var issuer: String?, subject: String?, audience: String?, certificateID: [UInt8]?
        var expiresAt: Int64?, notBefore: Int64?, issuedAt: Int64?
        var others: [CBORPair] = []
        for pair in pairs {
            guard let key = pair.key.int64 else {
                others.append(pair)
                continue
            }
            switch key {
            case Key.iss: issuer = try text(pair.value, "iss")
            case Key.sub: subject = try text(pair.value, "sub")
            case Key.aud: audience = try text(pair.value, "aud")
            case Key.exp: expiresAt = try numericDate(pair.value, "exp")
            case Key.nbf: notBefore = try numericDate(pair.value, "nbf")
            case Key.iat: issuedAt = try numericDate(pair.value, "iat")
            case Key.cti:
                guard case .bytes(let bytes) = pair.value else { throw bad("cti", "a byte string") }
                certificateID = bytes
            case Key.hcert:
                // hcert = { 1: eu_dgc_v1 map, ... }: each certificate inside is itself a map.
                guard case .map(let entries) = pair.value else { throw bad("hcert (-260)", "a map") }
                for entry in entries {
                    guard case .map = entry.value else { throw bad("hcert (-260) entry \(entry.key.int64.map(String.init) ?? "with a non-integer key")", "a map") }
                }
                others.append(pair)
            default:
                others.append(pair)
            }
        }
        return CWTClaims(issuer: issuer, subject: subject, audience: audience, expiresAt: expiresAt, notBefore: notBefore,
                         issuedAt: issuedAt, certificateID: certificateID, others: others)
    }

    /// The claims map, registered claims first.
    public func encoded() -> CBOR {
        var pairs: [CBORPair] = []
        if let issuer { pairs.append(CBORPair(.int(Key.iss), .text(issuer))) }
        if let subject { pairs.append(CBORPair(.int(Key.sub), .text(subject))) }
        if let audience { pairs.append(CBORPair(.int(Key.aud), .text(audience))) }
        if let expiresAt { pairs.append(CBORPair(.int(Key.exp), .int(expiresAt))) }
        if let notBefore { pairs.append(CBORPair(.int(Key.nbf), .int(notBefore))) }
        if let issuedAt { pairs.append(CBORPair(.int(Key.iat), .int(issuedAt))) }
        if let certificateID { pairs.append(CBORPair(.int(Key.cti), .bytes(certificateID))) }
        return .map(pairs + others)
    }

    private static func text(_ value: CBOR, _ name: String) throws(QRCertError) -> String {
        guard case .text(let text) = value else { throw bad(name, "a text string") }
        return text
    }

    /// NumericDate (RFC 8392 §2): an integer or a floating-point number of seconds; fractions are dropped.
    private static func numericDate(_ value: CBOR, _ name: String) throws(QRCertError) -> Int64 {
        switch value {
        case .unsigned, .negative:
            guard let seconds = value.int64 else { throw bad(name, "a NumericDate in range") }
            return seconds
        case .float(let seconds) where seconds.isFinite && abs(seconds) < 1e15:
            return Int64(seconds.rounded(.down))
        default:
            throw bad(name, "a number (NumericDate)")
        }
    }

    private static func bad(_ name: String, _ expected: String) -> QRCertError {
        QRCertError(.content, "CWT_BAD_CLAIM", "claim \(name) must be \(expected)")
    }
}

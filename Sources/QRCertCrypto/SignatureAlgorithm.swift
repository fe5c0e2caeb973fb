/// COSE algorithm identifiers used by qrcert.
///
/// The raw value is the COSE `alg` (RFC 9053 section 2, RFC 8230 section 2).
public enum SignatureAlgorithm: Int64, Sendable, CaseIterable {
    /// ECDSA on P-256 with SHA-256.
    case es256 = -7
    /// ECDSA on P-384 with SHA-384.
    case es384 = -35
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt.
    case ps256 = -37
    /// Pure EdDSA; qrcert uses it with Ed25519 only.
    case edDSA = -8

    /// The JOSE/COSE name: "ES256", "ES384", "PS256", "EdDSA".
    public var name: String {
        switch self {
        case .es256: "ES256"
        case .es384: "ES384"
        case .ps256: "PS256"
        case .edDSA: "EdDSA"
        }
    }

    /// The algorithm with this name, matched without regard to case ("es256", "EdDSA").
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = found
    }

    /// The width in bytes of r and of s in a COSE ECDSA signature (RFC 9053 section 2.1); nil for others.
    var ecdsaScalarWidth: Int? {
        switch self {
        case .es256: 32
        case .es384: 48
        case .ps256, .edDSA: nil
        }
    }
}

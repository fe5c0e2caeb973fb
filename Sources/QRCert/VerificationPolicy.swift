import QRCertFormat

/// One policy of docs/FORMAT.md §5 (steps 9-12): it looks at a payload whose signature verified and names
/// every way it fails. Policies never stop one another; the verifier runs them in `Verifier.policies` order,
/// which is the documented one, and keeps each failure.
public protocol VerificationPolicy: Sendable {
    /// The step number in docs/FORMAT.md §5.
    static var step: Int { get }
    /// Its name in that table (`Content policy`, ...).
    static var name: String { get }
    /// The failures of `input`, in the order the step lists its checks (empty when it holds).
    func check(_ input: inout PolicyInput) -> [QRCertError]
}

/// What the policies see: the signed facts, the signer, the time; and what earlier policies found.
public struct PolicyInput: Sendable {
    /// The prefix (not signed: it never exempts a payload from a rule).
    public let prefix: Payload.Prefix
    /// The signed claims.
    public let claims: CWTClaims
    /// The anchor whose key verified the signature, with that key's listing.
    public let signer: TrustAnchor
    /// The verification time, seconds since 1970 UTC.
    public let time: Int64
    /// The tolerated clock skew, seconds.
    public let clockSkew: Int64
    /// The record decoded against its profile by the content policy, even when a later content check failed
    /// (the validity policy's no-expiry rule reads it); nil when it could not be decoded.
    public internal(set) var record: Credential?
    /// The credential, when the content policy passed: what the verdict shows.
    public internal(set) var credential: Credential?
    /// The revocation entry that withdraws the credential, set by the revocation policy.
    public internal(set) var revocation: RevocationEntry?

    /// Whether the payload carries qrcert's credential claim, or claims to be qrcert's: either way qrcert's
    /// content rules apply (the prefix is not signed, so `HC1:` cannot opt out of them).
    public var isQRCertCredential: Bool { prefix == .qrcert || claims[CWTClaims.Key.credential] != nil }

    /// The credential type the claims name, if any.
    public var credentialType: String? { claims[CWTClaims.Key.credential]?[1]?.textValue }
}

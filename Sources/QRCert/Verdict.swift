import QRCertFormat

/// The outcome of verifying one payload: a value, never a print.
///
/// `failures` lists every failed check (the first is the reason shown); fields decoded from the
/// payload are filled in as far as decoding got, and `credential`/`claims` content is present only
/// when the signature verified.
public struct Verdict: Sendable {
    /// Valid only when the signature verified with a trusted key and no step of docs/FORMAT.md §5 failed.
    public var isValid: Bool { signatureVerified && failures.isEmpty }
    /// Every failed check, in the order of docs/FORMAT.md §5 (steps 1-8 stop at their failure; the policies'
    /// failures all kept, in step order).
    public var failures: [QRCertError] = []
    /// The first failure: the reason shown.
    public var reason: QRCertError? { failures.first }

    /// Prefix found.
    public var prefix: Payload.Prefix?
    /// Key id from the headers.
    public var keyID: [UInt8]?
    /// Algorithm from the headers (COSE id).
    public var algorithm: Int64?
    /// The anchor that verified the signature.
    public var anchor: TrustAnchor?
    /// Whether the signature verified with a trusted key.
    public var signatureVerified = false
    /// Claims (only when the signature verified).
    public var claims: CWTClaims?
    /// The credential (only when the signature verified and the profile is known).
    public var credential: Credential?
    /// The moment verified at, seconds since 1970 UTC.
    public var time: Int64
    /// The trust list and revocation lists consulted (docs/TRUST.md), with their editions and dates.
    public var lists: [ListSummary] = []
    /// The revocation list entry that withdraws the credential at `time` (stage `revocation`), if any.
    public var revocation: RevocationEntry?

    /// Issuer (`iss`), only when verified.
    public var issuer: String? { claims?.issuer }
    /// Issued at, only when verified.
    public var issuedAt: Int64? { claims?.issuedAt }
    /// Expires at, only when verified.
    public var expiresAt: Int64? { claims?.expiresAt }
}

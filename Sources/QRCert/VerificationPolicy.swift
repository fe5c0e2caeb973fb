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
    /// The signed claims; for a `QC2:` credential the content policy adds the `nbf` and `cti` it derives
    /// (docs/FORMAT.md §9.2), so later policies read them as they would a version 1 payload's.
    public internal(set) var claims: CWTClaims
    /// The key id the payload names (protected header, else unprotected): a `QC2:` `cti` is derived from it.
    public internal(set) var keyID: [UInt8] = []
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
    public var isQRCertCredential: Bool { prefix != .dcc || claims[CWTClaims.Key.credential] != nil }

    /// The credential type the claims name, if any: key 1 of a version 1 credential map, the first item of a
    /// `QC2:` credential array.
    public var credentialType: String? {
        let content = claims[CWTClaims.Key.credential]
        if case .array(let items)? = content { return items.first?.textValue }
        return content?.item(1)?.textValue
    }

    /// The specimen flag, if any: key 3 of a version 1 credential map, the third item of a `QC2:` array.
    public var specimenFlag: CBOR? {
        let content = claims[CWTClaims.Key.credential]
        if case .array(let items)? = content { return items.count > 2 ? items[2] : nil }
        return content?.item(SpecimenPolicy.key)
    }
}

extension CBOR {
    /// `self[key]` (the value of the first pair whose key is the integer `key`, nil if absent or not a map),
    /// compared as integers rather than by building and comparing a `CBOR` for each pair.
    func item(_ key: Int64) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        for pair in pairs where pair.key.int64 == key { return pair.value }
        return nil
    }
}

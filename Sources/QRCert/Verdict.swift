import QRCertFormat

/// The outcome of verifying one payload: a value, never a print.
///
/// `failures` lists every failed check (the first is the reason shown); fields decoded from the
/// payload are filled in as far as decoding got, and `credential`/`claims` content is present only
/// when the signature verified.
///
/// Its members live in one copy-on-write box: a verdict passes through a pipeline (worker, ordered map,
/// renderer), and a copy is then one reference rather than some thirty (docs/PERFORMANCE.md).
public struct Verdict: Sendable {
    /// Valid only when the signature verified with a trusted key and no step of docs/FORMAT.md §5 failed.
    public var isValid: Bool { storage.signatureVerified && storage.failures.isEmpty }
    /// The first failure: the reason shown.
    public var reason: QRCertError? { storage.failures.first }

    /// Every failed check, in the order of docs/FORMAT.md §5 (steps 1-8 stop at their failure; the policies'
    /// failures all kept, in step order).
    public var failures: [QRCertError] {
        get { storage.failures }
        _modify {
            let storage = unique()
            yield &storage.failures
        }
    }
    /// Prefix found.
    public var prefix: Payload.Prefix? {
        get { storage.prefix }
        _modify {
            let storage = unique()
            yield &storage.prefix
        }
    }
    /// Key id from the headers.
    public var keyID: [UInt8]? {
        get { storage.keyID }
        _modify {
            let storage = unique()
            yield &storage.keyID
        }
    }
    /// Algorithm from the headers (COSE id).
    public var algorithm: Int64? {
        get { storage.algorithm }
        _modify {
            let storage = unique()
            yield &storage.algorithm
        }
    }
    /// The anchor that verified the signature.
    public var anchor: TrustAnchor? {
        get { storage.anchor }
        _modify {
            let storage = unique()
            yield &storage.anchor
        }
    }
    /// Whether the signature verified with a trusted key.
    public var signatureVerified: Bool {
        get { storage.signatureVerified }
        _modify {
            let storage = unique()
            yield &storage.signatureVerified
        }
    }
    /// Claims (only when the signature verified).
    public var claims: CWTClaims? {
        get { storage.claims }
        _modify {
            let storage = unique()
            yield &storage.claims
        }
    }
    /// The credential (only when the signature verified and the profile is known).
    public var credential: Credential? {
        get { storage.credential }
        _modify {
            let storage = unique()
            yield &storage.credential
        }
    }
    /// The moment verified at, seconds since 1970 UTC.
    public var time: Int64 {
        get { storage.time }
        _modify {
            let storage = unique()
            yield &storage.time
        }
    }
    /// The trust list and revocation lists consulted (docs/TRUST.md), with their editions and dates.
    public var lists: [ListSummary] {
        get { storage.lists }
        _modify {
            let storage = unique()
            yield &storage.lists
        }
    }
    /// The revocation list entry that withdraws the credential at `time` (stage `revocation`), if any.
    public var revocation: RevocationEntry? {
        get { storage.revocation }
        _modify {
            let storage = unique()
            yield &storage.revocation
        }
    }

    /// Issuer (`iss`), only when verified.
    public var issuer: String? { claims?.issuer }
    /// Issued at, only when verified.
    public var issuedAt: Int64? { claims?.issuedAt }
    /// Expires at, only when verified.
    public var expiresAt: Int64? { claims?.expiresAt }

    /// A verdict at `time` with nothing found yet.
    init(time: Int64) { storage = Storage(time: time) }

    private var storage: Storage

    /// The box, unshared before a change.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    // Changed only through `unique()`, while no other verdict refers to it: that is what makes it Sendable, and
    // what makes the run-time exclusivity check of each member redundant (it was a tenth of the verdict's cost).
    private final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) var failures: [QRCertError] = []
        @exclusivity(unchecked) var prefix: Payload.Prefix? = nil
        @exclusivity(unchecked) var keyID: [UInt8]? = nil
        @exclusivity(unchecked) var algorithm: Int64? = nil
        @exclusivity(unchecked) var anchor: TrustAnchor? = nil
        @exclusivity(unchecked) var signatureVerified: Bool = false
        @exclusivity(unchecked) var claims: CWTClaims? = nil
        @exclusivity(unchecked) var credential: Credential? = nil
        @exclusivity(unchecked) var time: Int64
        @exclusivity(unchecked) var lists: [ListSummary] = []
        @exclusivity(unchecked) var revocation: RevocationEntry? = nil

        init(time: Int64) { self.time = time }

        init(copying other: Storage) {
            failures = other.failures
            prefix = other.prefix
            keyID = other.keyID
            algorithm = other.algorithm
            anchor = other.anchor
            signatureVerified = other.signatureVerified
            claims = other.claims
            credential = other.credential
            time = other.time
            lists = other.lists
            revocation = other.revocation
        }
    }
}

import Foundation
import QRCert
import QRCertFormat
import QRCertIO

/// The verifier in use and what it was built from, replaced whole when the lists are reloaded: a request
/// takes one snapshot and verifies every payload of it against that one, never half an old list and half a new.
struct TrustSnapshot: Sendable {
    /// The verifier with every key and list taken.
    let verifier: Verifier
    /// Each list's status at the load that built this verifier (the edition in use).
    let lists: [ListStatus]
    /// When it was loaded, seconds since 1970 UTC (the wall clock, also under `--at`).
    let loadedAt: Int64

    /// The first list in use that has expired at `time` (next update and grace period past): nothing is
    /// verified against it, as `verify` refuses to.
    func expiredList(at time: Int64) -> ListSummary? {
        lists.lazy.compactMap(\.summary).first { $0.header.freshness(at: time) == .expired }
    }
}

/// A load that failed: the snapshot in use stays, and `/v1/lists` and the log say why.
struct LoadFailure: Sendable {
    /// The refusal.
    let error: QRCertError
    /// The statuses of that load (the list refused has its `error`).
    let lists: [ListStatus]
    /// When it was tried.
    let at: Int64
}

/// The one place the snapshot in use lives, behind a lock: requests read it, reloads replace it.
final class TrustState: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: TrustSnapshot
    private var failure: LoadFailure?
    private var reloadCount = 0

    init(_ snapshot: TrustSnapshot) { self.snapshot = snapshot }

    /// The snapshot in use.
    var current: TrustSnapshot { lock.withLock { snapshot } }

    /// The snapshot, the last failure if it is newer than the last success, and the successful reloads.
    var status: (snapshot: TrustSnapshot, failure: LoadFailure?, reloads: Int) {
        lock.withLock { (snapshot, failure, reloadCount) }
    }

    /// A reload that succeeded: its snapshot is used from the next request on.
    func replace(with next: TrustSnapshot) {
        lock.withLock {
            snapshot = next
            failure = nil
            reloadCount += 1
        }
    }

    /// A reload that failed: the snapshot in use stays.
    func record(_ next: LoadFailure) { lock.withLock { failure = next } }
}

import Dispatch
import QRCertFormat

/// Issues a stream of records on several cores, keeping input order.
///
/// Records are read and checked on the calling thread in batches; each batch is signed and turned
/// into output (`produce`, e.g. a QR PNG) on `jobs` threads; results are handed to `emit` on the calling
/// thread in input order, so manifests are identical whatever `jobs` is. Memory is bounded by one batch.
public struct BatchIssue: Sendable {
    /// One record's outcome, in input order.
    public enum Entry<Output: Sendable>: Sendable {
        /// Issued: the row's location, the credential, the signed result and what `produce` made of it.
        case issued(row: RecordRow, credential: Credential, issued: Issuer.Issued, output: Output)
        /// Rejected: unreadable, failed its profile, or a duplicate id.
        case rejected(RejectedRow)
    }

    /// Whose profile the records follow.
    public let profile: Profile
    /// Who signs.
    public let issuer: Issuer
    /// Worker threads.
    public let jobs: Int
    /// Records per batch.
    public let batchSize: Int

    /// A batch issuer.
    public init(profile: Profile, issuer: Issuer, jobs: Int, batchSize: Int = 512) {
        self.profile = profile
        self.issuer = issuer
        self.jobs = max(1, jobs)
        self.batchSize = max(1, batchSize)
    }

    /// Reads `reader` to its end. `produce` runs concurrently (it must be thread-safe); `emit` runs in order.
    /// `skip` lets a resumed run pass over records already done (they are still checked and counted as seen).
    public func run<Reader: RecordReader, Output: Sendable>(
        _ reader: inout Reader,
        skip: (Credential) -> Bool = { _ in false },
        produce: @escaping @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output,
        emit: (Entry<Output>) throws(QRCertError) -> Void
    ) throws(QRCertError) {
        var checker = RecordChecker(profile: profile)
        var pending: [Pending] = []
        pending.reserveCapacity(batchSize)
        var ended = false
        while !ended {
            pending.removeAll(keepingCapacity: true)
            var work = 0
            while work < batchSize {
                guard let next = try reader.next() else { ended = true; break }
                switch checker.check(next) {
                case .failure(let rejection):
                    pending.append(.rejected(rejection))
                case .success(let (row, credential)):
                    if skip(credential) {
                        pending.append(.skipped)
                    } else {
                        pending.append(.work(row, credential))
                        work += 1
                    }
                }
            }
            let results = try process(pending, produce: produce)
            for (index, item) in pending.enumerated() {
                switch item {
                case .rejected(let rejection): try emit(.rejected(rejection))
                case .skipped: continue
                case .work(let row, let credential):
                    guard let result = results[index] else { continue }
                    try emit(.issued(row: row, credential: credential, issued: result.0, output: result.1))
                }
            }
        }
    }

    private enum Pending {
        case work(RecordRow, Credential)
        case rejected(RejectedRow)
        case skipped
    }

    /// Signs and produces every `.work` item of the batch on `jobs` threads; the first error wins.
    private func process<Output: Sendable>(
        _ pending: [Pending],
        produce: @escaping @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output
    ) throws(QRCertError) -> [(Issuer.Issued, Output)?] {
        var credentials: [Credential?] = []
        credentials.reserveCapacity(pending.count)
        for item in pending {
            if case .work(_, let credential) = item { credentials.append(credential) } else { credentials.append(nil) }
        }
        let slots = Slots<Result<(Issuer.Issued, Output), QRCertError>>(count: credentials.count)
        let issuer = self.issuer
        let workers = min(jobs, max(1, credentials.count))
        let input = credentials
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Strided partition: each worker owns the slots it writes.
            for index in stride(from: worker, to: input.count, by: workers) {
                guard let credential = input[index] else { continue }
                do throws(QRCertError) {
                    let issued = try issuer.issue(credential)
                    slots.set(index, .success((issued, try produce(credential, issued))))
                } catch {
                    slots.set(index, .failure(error))
                }
            }
        }
        var results: [(Issuer.Issued, Output)?] = []
        results.reserveCapacity(input.count)
        for index in 0..<input.count {
            switch slots.get(index) {
            case .success(let value)?: results.append(value)
            case .failure(let error)?: throw error
            case nil: results.append(nil)
            }
        }
        return results
    }
}

/// Fixed slots written concurrently, each by exactly one worker, read after all workers finish.
private final class Slots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: max(count, 1))
    }

    deinit {
        storage.deinitialize(count: max(count, 1))
        storage.deallocate()
    }

    func set(_ index: Int, _ value: T) { storage[index] = value }
    func get(_ index: Int) -> T? { storage[index] }
}

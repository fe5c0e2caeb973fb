import Foundation
import QRCertFormat
import QRCertCrypto

/// Issues a stream of records on several cores, keeping input order.
///
/// The calling thread reads and checks records in batches and hands each batch to `jobs` worker threads,
/// which sign it and turn each credential into output (`produce`, e.g. a QR PNG). While the workers run
/// batch *k*, the calling thread reads batch *k+1* and then emits batch *k* in input order (`emit`), so the
/// manifest is the same whatever `jobs` is and reading never leaves a core idle. At most three batches are
/// alive at once: memory does not grow with the input (the duplicate-id set aside, see `RecordChecker`).
public struct BatchIssue: Sendable {
    /// One record's outcome, in input order.
    public enum Entry<Output: Sendable>: Sendable {
        /// Issued: the row's location, the credential, the signed result and what `produce` made of it.
        case issued(row: RecordRow, credential: Credential, issued: Issuer.Issued, output: Output)
        /// Rejected: unreadable, failed its profile, or a duplicate id.
        case rejected(RejectedRow)
        /// Passed over because `skip` said an earlier run already issued it.
        case skipped(row: RecordRow, credential: Credential)
    }

    /// How a run ended.
    public enum Completion: Sendable, Equatable {
        /// Every record of the input was read and emitted.
        case finished
        /// `shouldStop` asked to stop: every record read so far was issued and emitted, the rest was not read.
        case stopped
    }

    /// Whose profile the records follow.
    public let profile: Profile
    /// Who signs.
    public let issuer: Issuer
    /// Worker threads.
    public let jobs: Int
    /// Records per batch.
    public let batchSize: Int
    /// The part of the input this run issues; the other parts' records are passed over unreported.
    public let partition: Partition

    /// A batch issuer.
    public init(profile: Profile, issuer: Issuer, jobs: Int, batchSize: Int = 256, partition: Partition = .whole) {
        self.profile = profile
        self.issuer = issuer
        self.jobs = max(1, jobs)
        self.batchSize = max(1, batchSize)
        self.partition = partition
    }

    /// Reads `reader` to its end (or until `shouldStop` returns true). `produce` runs on the worker threads
    /// (it must be thread-safe); `skip`, `shouldStop` and `emit` run on the calling thread, in input order.
    /// `skip` lets a resumed run pass over records an earlier run issued (they are still checked, so duplicate
    /// ids are still caught). The first error of `produce` or `emit` ends the run once in-flight work is done.
    /// An error of the reader ends the input: what was read before it is issued and emitted, then it is thrown.
    @discardableResult
    public func run<Reader: RecordReader, Output: Sendable>(
        _ reader: inout Reader,
        skip: (Credential) throws(QRCertError) -> Bool = { _ in false },
        shouldStop: () -> Bool = { false },
        produce: @escaping @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output,
        emit: (Entry<Output>) throws(QRCertError) -> Void
    ) throws(QRCertError) -> Completion {
        try reader.start(checking: profile)
        let pool = WorkerPool(threads: jobs)
        defer { pool.shutdown() }
        var checker = RecordChecker(profile: profile)
        var exhausted = false, stopped = false
        // A reader that cannot go on (a row whose end cannot be told) ends the input there: the rows read
        // before it are still issued and emitted, then its error is thrown.
        var readerStop: QRCertError?

        // Reads up to `batchSize` records to sign (rejected and skipped rows ride along, in place).
        func read() throws(QRCertError) -> Batch<Output>? {
            var items: [Item] = []
            var work = 0
            while work < batchSize && !exhausted {
                if shouldStop() { stopped = true; exhausted = true; break }
                let next: RecordReadResult?
                do throws(QRCertError) {
                    next = try reader.next()
                } catch where error.stage == .records {
                    readerStop = error
                    exhausted = true
                    break
                }
                guard let next else { exhausted = true; break }
                switch checker.check(next) {
                case .failure(let rejection):
                    if partition.owns(rejection) { items.append(.rejected(rejection)) }
                case .success(let (row, credential)):
                    if !partition.contains(id: credential.id) {
                        continue
                    } else if let problem = issuer.certificateProblem(credential) {
                        items.append(.rejected(RejectedRow(source: row.source, line: row.line, field: problem.field,
                                                           id: credential.id, error: problem.error)))
                    } else if try skip(credential) {
                        items.append(.skipped(row, credential))
                    } else {
                        items.append(.work(row, credential))
                        work += 1
                    }
                }
            }
            return items.isEmpty ? nil : Batch(items: items, issuer: issuer, produce: produce)
        }

        // Batch k runs on the workers while batch k+1 is read, then k is emitted while k+1 runs.
        var inFlight: [Batch<Output>] = []
        do throws(QRCertError) {
            repeat {
                if let next = try read() {
                    pool.submit(next)
                    inFlight.append(next)
                }
                if inFlight.count == 2 || (exhausted && !inFlight.isEmpty) {
                    inFlight[0].wait()
                    try inFlight[0].emit(emit)
                    inFlight.removeFirst()
                }
            } while !inFlight.isEmpty
        } catch {
            // No worker may still be writing files once the error is reported.
            for batch in inFlight { batch.cancel() }
            for batch in inFlight { batch.wait() }
            throw error
        }
        if let readerStop { throw readerStop }
        return stopped ? .stopped : .finished
    }

    /// Whether a fault of this code while signing or producing a record lies in the record itself, so that
    /// only it is rejected: a payload too long for any QR code at the chosen level (`IMG_TOO_LONG`), or an
    /// output name already taken (`OUT_NAME_TAKEN`: nothing is replaced). Every other fault stops the run.
    public static func isRecordFault(code: String) -> Bool {
        code == "IMG_TOO_LONG" || code == "OUT_NAME_TAKEN"
    }

    enum Item {
        case work(RecordRow, Credential)
        case rejected(RejectedRow)
        case skipped(RecordRow, Credential)
    }
}

/// One batch: its items in input order, the indexes the workers sign, and one result slot per item.
///
/// Workers claim indexes through the pool's lock and each writes only the slots it claimed; the calling
/// thread reads the slots only after `wait()`, which the same lock orders after every write.
final class Batch<Output: Sendable>: @unchecked Sendable {
    let items: [BatchIssue.Item]
    private let work: [Int]
    private let issuer: Issuer
    private let produce: @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output
    private var results: [Outcome?]

    /// What became of one work item.
    private enum Outcome {
        case done(Issuer.Issued, Output)
        /// The record's own content cannot be issued (its payload fits no QR code): rejected alone.
        case rejected(RejectedRow)
        /// Anything else (I/O, the key, a bug) ends the run.
        case failed(QRCertError)
    }

    /// See `BatchIssue.isRecordFault(code:)`.
    static func isRecordFault(_ error: QRCertError) -> Bool { BatchIssue.isRecordFault(code: error.code) }
    private let done = NSCondition()
    private var remaining: Int
    /// Next position in `work` to hand out; guarded by the pool's lock.
    var claimed = 0
    private var cancelled = false

    init(items: [BatchIssue.Item], issuer: Issuer,
         produce: @escaping @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output) {
        self.items = items
        self.issuer = issuer
        self.produce = produce
        work = items.indices.filter { if case .work = items[$0] { return true } else { return false } }
        results = Array(repeating: nil, count: items.count)
        remaining = work.count
    }

    /// Work items still to be handed out.
    var unclaimed: Int { work.count - claimed }

    /// Signs and produces the `position`-th work item (called on a worker thread).
    func process(_ position: Int) {
        let index = work[position]
        done.lock()
        let skip = cancelled
        done.unlock()
        if !skip, case .work(let row, let credential) = items[index] {
            let outcome: Outcome
            do throws(QRCertError) {
                let issued = try issuer.issue(credential)
                outcome = .done(issued, try produce(credential, issued))
            } catch {
                if Self.isRecordFault(error) {
                    outcome = .rejected(RejectedRow(source: row.source, line: row.line, field: nil, id: credential.id, error: error))
                } else {
                    // A fault while signing or producing this record must say which record it is;
                    // an I/O error names its file already.
                    outcome = .failed(error.stage == .io ? error : error.located("\(row.source):\(row.line): record \(credential.id)"))
                }
            }
            // Each slot is written by exactly one worker; `done` publishes it to the emitting thread.
            done.lock()
            results[index] = outcome
            if case .failed = outcome { cancelled = true }
            done.unlock()
        }
        done.lock()
        remaining -= 1
        if remaining == 0 { done.broadcast() }
        done.unlock()
    }

    /// Asks the workers to leave the items they have not started.
    func cancel() {
        done.lock()
        cancelled = true
        done.unlock()
    }

    /// Blocks until every work item is done.
    func wait() {
        done.lock()
        while remaining > 0 { done.wait() }
        done.unlock()
    }

    /// Hands every entry to `emit` in input order; the first failed item (in input order) is thrown instead.
    func emit(_ emit: (BatchIssue.Entry<Output>) throws(QRCertError) -> Void) throws(QRCertError) {
        for (index, item) in items.enumerated() {
            switch item {
            case .rejected(let rejection):
                try emit(.rejected(rejection))
            case .skipped(let row, let credential):
                try emit(.skipped(row: row, credential: credential))
            case .work(let row, let credential):
                switch results[index] {
                case .done(let issued, let output)?:
                    try emit(.issued(row: row, credential: credential, issued: issued, output: output))
                case .rejected(let rejection)?:
                    try emit(.rejected(rejection))
                case .failed(let error)?:
                    throw error
                case nil:
                    // Only a cancelled batch leaves a slot empty, and cancelling follows a failure thrown above.
                    throw QRCertError(.internal, "BATCH_INTERNAL", "record \(credential.id) was not processed")
                }
            }
        }
    }
}

/// `threads` long-lived worker threads taking work items from submitted batches, oldest batch first.
///
/// Dedicated threads rather than Dispatch's shared pool, so that `--jobs N` means exactly N signing threads
/// however many batches are queued.
final class WorkerPool: @unchecked Sendable {
    private let lock = NSCondition()
    private var queue: [any Claimable] = []
    private var closing = false
    private var running = 0

    init(threads: Int) {
        for number in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "qrcert-worker-\(number + 1)"
            running += 1
            thread.start()
        }
    }

    /// Queues every work item of `batch`.
    func submit<Output>(_ batch: Batch<Output>) {
        guard batch.unclaimed > 0 else { return }
        lock.lock()
        queue.append(batch)
        lock.broadcast()
        lock.unlock()
    }

    /// Lets the threads finish what they hold and end; returns once they have.
    func shutdown() {
        lock.lock()
        closing = true
        lock.broadcast()
        while running > 0 { lock.wait() }
        lock.unlock()
    }

    private func work() {
        while true {
            lock.lock()
            while queue.isEmpty && !closing { lock.wait() }
            guard let batch = queue.first else {
                CryptoThread.finish()  // before `running` says this thread is done (shutdown waits for it)
                running -= 1
                lock.broadcast()
                lock.unlock()
                return
            }
            let position = batch.claim()
            if batch.isFullyClaimed { queue.removeFirst() }
            lock.unlock()
            batch.run(position)
        }
    }
}

/// What the pool needs of a batch, whatever its output type.
protocol Claimable: AnyObject {
    /// Takes the next work position (under the pool's lock).
    func claim() -> Int
    /// Whether every position has been taken.
    var isFullyClaimed: Bool { get }
    /// Processes a position (outside the lock).
    func run(_ position: Int)
}

extension Batch: Claimable {
    func claim() -> Int {
        defer { claimed += 1 }
        return claimed
    }

    var isFullyClaimed: Bool { unclaimed == 0 }

    func run(_ position: Int) { process(position) }
}

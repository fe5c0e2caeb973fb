import Foundation
import QRCertFormat
import QRCertCrypto

/// Issues a stream of records on several cores, keeping input order.
///
/// The calling thread reads and checks records and submits each to an `OrderedMap`, whose `jobs` worker threads
/// sign it and turn the credential into output (`produce`, e.g. a QR PNG); the calling thread emits each outcome
/// in input order (`emit`) as soon as it and every one before it are ready, between reads, so the manifest is the
/// same whatever `jobs` is and reading never leaves a core idle. At most `2 * batchSize` records are in flight:
/// memory does not grow with the input (the duplicate-id set aside, see `RecordChecker`).
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
    /// Half the records in flight at most (read, not yet emitted).
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
        var checker = RecordChecker(profile: profile)
        var exhausted = false, stopped = false
        // A reader that cannot go on (a row whose end cannot be told) ends the input there: the rows read
        // before it are still issued and emitted, then its error is thrown.
        var readerStop: QRCertError?

        // The next record to submit (rejected and skipped rows ride along, in place); nil at the end of the input.
        func read() throws(QRCertError) -> Item? {
            while !exhausted {
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
                    if partition.owns(rejection) { return .rejected(rejection) }
                case .success(let (row, credential)):
                    if !partition.contains(id: credential.id) {
                        continue
                    } else if let problem = issuer.certificateProblem(credential) {
                        return .rejected(RejectedRow(source: row.source, line: row.line, field: problem.field,
                                                     id: credential.id, error: problem.error))
                    } else if try skip(credential) {
                        return .skipped(row, credential)
                    } else {
                        return .work(row, credential)
                    }
                }
            }
            return nil
        }

        let stop = Stop()
        let issuer = self.issuer
        let map = OrderedMap<Item, Outcome<Output>>(threads: jobs, window: 2 * batchSize) {
            { item in Self.process(item, issuer: issuer, produce: produce, stop: stop) }
        }
        // No worker may still be writing files once an error is reported: close waits for them all.
        defer { map.close() }
        func emitAll(_ outcomes: [Outcome<Output>]) throws(QRCertError) {
            for outcome in outcomes {
                switch outcome {
                case .entry(let entry): try emit(entry)
                case .failed(let error): throw error
                // Only a failure cancels, and it is recorded before: that failure is what stopped the run.
                case .cancelled: throw stop.failure ?? QRCertError(.internal, "BATCH_INTERNAL", "a record was not processed")
                }
            }
        }
        do throws(QRCertError) {
            while let item = try read() {
                while map.isFull { try emitAll(map.next() ?? []) }
                map.submit(item)
                try emitAll(map.ready())
            }
            map.finish()
            while let outcomes = map.next() { try emitAll(outcomes) }
        } catch {
            stop.cancel(because: nil)  // the workers leave the records they have not started
            throw error
        }
        if let readerStop { throw readerStop }
        return stopped ? .stopped : .finished
    }

    /// Signs and produces one record on a worker thread; rejected and skipped rows pass through.
    private static func process<Output: Sendable>(
        _ item: Item, issuer: Issuer, produce: @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Output, stop: Stop
    ) -> Outcome<Output> {
        switch item {
        case .rejected(let rejection):
            return .entry(.rejected(rejection))
        case .skipped(let row, let credential):
            return .entry(.skipped(row: row, credential: credential))
        case .work(let row, let credential):
            if stop.isCancelled { return .cancelled }
            do throws(QRCertError) {
                let issued = try issuer.issue(credential)
                return .entry(.issued(row: row, credential: credential, issued: issued, output: try produce(credential, issued)))
            } catch {
                if isRecordFault(code: error.code) {
                    return .entry(.rejected(RejectedRow(source: row.source, line: row.line, field: nil, id: credential.id, error: error)))
                }
                // A fault while signing or producing this record must say which record it is; an I/O error names
                // its file already. Anything but a record fault ends the run: the other workers stop starting records.
                let located = error.stage == .io ? error : error.located("\(row.source):\(row.line): record \(credential.id)")
                stop.cancel(because: located)
                return .failed(located)
            }
        }
    }

    /// Whether a fault of this code while signing or producing a record lies in the record itself, so that
    /// only it is rejected: a payload too long for any QR code at the chosen level (`IMG_TOO_LONG`), or an
    /// output name already taken (`OUT_NAME_TAKEN`: nothing is replaced). Every other fault stops the run.
    public static func isRecordFault(code: String) -> Bool {
        code == "IMG_TOO_LONG" || code == "OUT_NAME_TAKEN"
    }

    enum Item: Sendable {
        case work(RecordRow, Credential)
        case rejected(RejectedRow)
        case skipped(RecordRow, Credential)
    }

    /// What became of one record on a worker.
    enum Outcome<Output: Sendable>: Sendable {
        /// Ready to emit (a record fault is a rejection).
        case entry(Entry<Output>)
        /// Anything else (I/O, the key, a bug): ends the run.
        case failed(QRCertError)
        /// Not started: an earlier failure ended the run.
        case cancelled
    }

    /// Whether the run is ending, and the failure that ended it; shared by the workers and the calling thread.
    final class Stop: @unchecked Sendable {
        private let lock = NSLock()
        private var cancelled = false
        private var first: QRCertError?

        var isCancelled: Bool { lock.withLock { cancelled } }
        var failure: QRCertError? { lock.withLock { first } }

        /// Stops the workers starting records; the first failure given is kept.
        func cancel(because failure: QRCertError?) {
            lock.withLock {
                cancelled = true
                if first == nil { first = failure }
            }
        }
    }
}

import Foundation
import QRCert
import QRCertCrypto

/// `verify -` on several cores: every worker reads the next batch of lines itself (under the input's lock),
/// answers it into its own buffer, and hands the buffer in with the batch's number; whoever hands in the batch
/// next in input order writes it, and every batch after it that is already in.
///
/// No thread only reads or only writes, and nothing crosses between cores but a batch that finished before the
/// one ahead of it: a payload's bytes, its verdict and its answer stay in the cache of the core that handles
/// them (a reader and a writer thread around a pool of workers cost a tenth of `--jobs 2`'s throughput,
/// docs/PERFORMANCE.md). A worker that would be more than `window` batches ahead of the output waits, so memory
/// stays flat whatever the input; a batch is what one read brought (at most `PayloadStream.batchLines` lines), so a
/// person scanning one code at a time sees each answer at once.
final class PayloadWorkers: @unchecked Sendable {
    private let lines: BoundedLines
    private let window: Int
    /// Held while a worker reads its batch and takes its number: batches are numbered in input order.
    private let input = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Held for the numbers, the buffers handed in and the outcome; never during a read or a write.
    private let order = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// A worker waits here for room in the window, the calling thread for the other workers to end.
    private let roomReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let workerEnded = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    // Under `order`.
    /// Batches numbered so far, and the number of the next to write.
    private var issued = 0, written = 0
    /// Whether a worker is writing (it writes every batch that is in, in order, before it goes back to work).
    private var writing = false
    private var waitingForRoom = false
    /// The answered batches not yet written, by number modulo `window`.
    private var handedIn: [WriteBuffer?]
    /// Written buffers for a worker whose own one is waiting to be written.
    private var spare: [WriteBuffer] = []
    private var total = PayloadStream.Outcome()
    private var ended = 0

    init(lines: BoundedLines, window: Int) {
        self.lines = lines
        self.window = max(2, window)
        handedIn = Array(repeating: nil, count: self.window)
        for mutex in [input, order] { pthread_mutex_init(mutex, nil) }
        for condition in [roomReady, workerEnded] { pthread_cond_init(condition, nil) }
    }

    deinit {
        for condition in [roomReady, workerEnded] {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        for mutex in [input, order] {
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
        }
    }

    /// One worker: batches read, answered and handed in until the input ends; then this thread's libcrypto state
    /// is freed (`CryptoThread.finish`) and the worker counted as ended.
    func work(_ answerer: PayloadStream.Answerer) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 17)
        var ends: [Int] = []
        ends.reserveCapacity(PayloadStream.batchLines)
        var out = WriteBuffer(capacity: 1 << 17)
        while let number = read(into: &bytes, ends: &ends) {
            var outcome = PayloadStream.Outcome()
            bytes.withUnsafeBytes { bytes in
                var start = 0
                for end in ends {
                    if let valid = answerer.answer(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), into: out) {
                        outcome.answered += 1
                        outcome.allValid = outcome.allValid && valid
                    }
                    start = end
                }
            }
            out = handIn(number, out, outcome)
        }
        CryptoThread.finish()
        pthread_mutex_lock(order)
        ended += 1
        pthread_cond_signal(workerEnded)
        pthread_mutex_unlock(order)
    }

    /// What every batch's answers came to, once `workers` workers (every one) have ended.
    func outcome(waitingFor workers: Int) -> PayloadStream.Outcome {
        pthread_mutex_lock(order)
        defer { pthread_mutex_unlock(order) }
        while ended < workers { pthread_cond_wait(workerEnded, order) }
        return total
    }

    /// The next batch: the lines buffered now (waiting for one when none is), at most `batchLines` of them and
    /// about 64 KiB; its number, or nil at the end of the input.
    private func read(into bytes: inout [UInt8], ends: inout [Int]) -> Int? {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        pthread_mutex_lock(input)
        defer { pthread_mutex_unlock(input) }
        while ends.count < PayloadStream.batchLines && bytes.count < 1 << 16,
              case .line(let line) = lines.next(waiting: ends.isEmpty) {
            bytes.append(contentsOf: line)
            ends.append(bytes.count)
        }
        guard !ends.isEmpty else { return nil }
        // Numbered while the input is held, so numbers follow the input; not past the window.
        pthread_mutex_lock(order)
        defer { pthread_mutex_unlock(order) }
        while issued - written >= window {
            waitingForRoom = true
            pthread_cond_wait(roomReady, order)
        }
        issued += 1
        return issued - 1
    }

    /// Hands in batch `number`'s answers; writes them, and every batch after them already in, when they are next.
    /// Returns an empty buffer for the worker's next batch: its own when it was written.
    private func handIn(_ number: Int, _ answers: WriteBuffer, _ outcome: PayloadStream.Outcome) -> WriteBuffer {
        pthread_mutex_lock(order)
        defer { pthread_mutex_unlock(order) }
        total.answered += outcome.answered
        total.allValid = total.allValid && outcome.allValid
        handedIn[number % window] = answers
        if !writing {
            writing = true
            var ownWritten = false
            while written < issued, let next = handedIn[written % window] {
                handedIn[written % window] = nil
                pthread_mutex_unlock(order)
                Console.write(next)
                next.removeAll()
                pthread_mutex_lock(order)
                written += 1
                if next === answers { ownWritten = true } else { spare.append(next) }
                if waitingForRoom {
                    waitingForRoom = false
                    pthread_cond_broadcast(roomReady)
                }
            }
            writing = false
            if ownWritten { return answers }
        }
        return spare.popLast() ?? WriteBuffer(capacity: 1 << 17)
    }
}

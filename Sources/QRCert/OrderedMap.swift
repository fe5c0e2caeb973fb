import Foundation
import QRCertCrypto

/// A parallel map that keeps input order: one thread submits inputs, `threads` worker threads transform them,
/// one thread takes the outputs in input order, each as soon as it and every output before it are ready.
///
/// `issue` and `verify -` both run on it (docs/PERFORMANCE.md). Nothing waits for a batch to fill, so a person
/// scanning one code at a time sees each answer at once, while a pipe of 100,000 payloads keeps every core busy;
/// at most `window` inputs are ahead of the outputs taken, so memory stays flat whatever the input's length.
/// Workers take several queued inputs at a time when many are waiting, and `next()` returns every output that is
/// ready in order, so the caller can write them together. Each worker calls `CryptoThread.finish()` before it ends.
///
/// The submitting and the taking thread may be the same (check `isFull` before `submit`, and take what is
/// `ready()`) or two threads; each of `submit`/`finish` and `next`/`ready` must be called from one thread at a time.
public final class OrderedMap<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    /// One position of the window.
    private enum Slot {
        case empty
        case queued(Input)
        case working
        case done(Output)
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Workers wait here for input; the submitting thread for room; the taking thread for the next output;
    /// `close` for the workers to end. Separate conditions, so a change wakes only the thread it concerns.
    private let inputReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let roomReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let outputReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let workersEnded = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private let threads: Int
    private let window: Int
    /// How many outputs ready in order wake the taker while work is still queued.
    private let wakeRun: Int
    private var slots: [Slot]
    /// Sequence numbers: the next to submit, to take for work, to hand out in order.
    private var submitted = 0
    private var nextToWork = 0
    private var delivered = 0
    private var ended = false
    private var idleWorkers = 0
    private var submitterWaiting = false
    private var takerWaiting = false
    private var running = 0

    /// Starts `threads` workers (at least one). Each calls `worker()` once, on its own thread, and transforms every
    /// input it takes with the function it got: state the function keeps (a reusable buffer, a zlib stream) belongs
    /// to that thread alone.
    public init(threads: Int, window: Int = 1024, worker: @escaping @Sendable () -> (Input) -> Output) {
        self.threads = max(1, threads)
        self.window = max(window, 2 * self.threads)
        slots = Array(repeating: .empty, count: self.window)
        wakeRun = min(32, self.window / 4)
        pthread_mutex_init(mutex, nil)
        for condition in [inputReady, roomReady, outputReady, workersEnded] { pthread_cond_init(condition, nil) }
        running = self.threads
        for number in 0..<self.threads {
            let thread = Thread { [self] in work(worker()) }
            thread.name = "qrcert-worker-\(number + 1)"
            thread.start()
        }
    }

    deinit {
        for condition in [inputReady, roomReady, outputReady, workersEnded] {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Whether `submit` would wait: `window` inputs are ahead of the outputs taken.
    public var isFull: Bool {
        locked { submitted - delivered >= window }
    }

    /// Queues `input`, waiting while the window is full (it is freed by taking outputs on another thread).
    public func submit(_ input: Input) {
        pthread_mutex_lock(mutex)
        while submitted - delivered >= window {
            submitterWaiting = true
            pthread_cond_wait(roomReady, mutex)
        }
        slots[submitted % window] = .queued(input)
        submitted += 1
        if idleWorkers > 0 { pthread_cond_signal(inputReady) }
        pthread_mutex_unlock(mutex)
    }

    /// Ends the input: once every submitted input is transformed and taken, `next()` returns nil.
    public func finish() {
        pthread_mutex_lock(mutex)
        ended = true
        pthread_cond_broadcast(inputReady)
        pthread_cond_broadcast(outputReady)
        pthread_mutex_unlock(mutex)
    }

    /// The outputs next in input order, waiting until the first of them is ready; nil once the input has ended
    /// and every output has been taken.
    public func next() -> [Output]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !isDone(delivered) && !(ended && delivered == submitted) {
            takerWaiting = true
            pthread_cond_wait(outputReady, mutex)
        }
        takerWaiting = false
        let outputs = takeReady()
        return outputs.isEmpty ? nil : outputs
    }

    /// The outputs next in input order that are ready now, without waiting (often none).
    public func ready() -> [Output] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return takeReady()
    }

    /// Ends the input and waits until every worker has ended (outputs not taken are dropped).
    public func close() {
        finish()
        pthread_mutex_lock(mutex)
        while running > 0 { pthread_cond_wait(workersEnded, mutex) }
        pthread_mutex_unlock(mutex)
    }

    // MARK: Under the lock

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    private func isDone(_ sequence: Int) -> Bool {
        guard sequence < submitted, case .done = slots[sequence % window] else { return false }
        return true
    }

    private func takeReady() -> [Output] {
        var outputs: [Output] = []
        while delivered < submitted, case .done(let output) = slots[delivered % window] {
            slots[delivered % window] = .empty
            outputs.append(output)
            delivered += 1
        }
        // The submitter is woken once half the window is free, not for every output taken.
        if submitterWaiting && !outputs.isEmpty && submitted - delivered <= window / 2 {
            submitterWaiting = false
            pthread_cond_signal(roomReady)
        }
        return outputs
    }

    // MARK: Workers

    private func work(_ transform: (Input) -> Output) {
        var inputs: [Input] = []
        var outputs: [Output] = []
        while let first = take(into: &inputs) {
            outputs.removeAll(keepingCapacity: true)
            for input in inputs { outputs.append(transform(input)) }
            inputs.removeAll(keepingCapacity: true)
            complete(from: first, outputs)
        }
        CryptoThread.finish()  // before `close` can learn that this thread has ended
        pthread_mutex_lock(mutex)
        running -= 1
        if running == 0 { pthread_cond_broadcast(workersEnded) }
        pthread_mutex_unlock(mutex)
    }

    /// Moves the next inputs to work on into `inputs` (a fair share of what is queued, one when little is) and
    /// returns the sequence number of the first; nil once the input has ended and nothing is queued.
    private func take(into inputs: inout [Input]) -> Int? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while nextToWork == submitted && !ended {
            idleWorkers += 1
            pthread_cond_wait(inputReady, mutex)
            idleWorkers -= 1
        }
        let waiting = submitted - nextToWork
        guard waiting > 0 else { return nil }
        let first = nextToWork
        for sequence in first..<(first + min(32, max(1, waiting / (threads * 2)))) {
            guard case .queued(let input) = slots[sequence % window] else { preconditionFailure("slot \(sequence) is not queued") }
            slots[sequence % window] = .working
            inputs.append(input)
        }
        nextToWork += inputs.count
        return first
    }

    private func complete(from first: Int, _ outputs: [Output]) {
        pthread_mutex_lock(mutex)
        for (offset, output) in outputs.enumerated() { slots[(first + offset) % window] = .done(output) }
        // The taker is woken once the next output is ready and either nothing is left to work on (a lone scan is
        // answered at once) or a run worth a write is: in a busy pipe one wake-up serves many outputs, where one per
        // output cost a context switch each.
        if takerWaiting && isDone(delivered) && (nextToWork == submitted || first + outputs.count - delivered >= wakeRun) {
            takerWaiting = false
            pthread_cond_signal(outputReady)
        }
        pthread_mutex_unlock(mutex)
    }
}

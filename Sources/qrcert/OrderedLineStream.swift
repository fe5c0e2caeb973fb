import Foundation
import QRCertCrypto

/// The lines of stdin worked on by several threads and answered in input order, each answer as soon as it and
/// every answer before it are ready: a pipe of 100,000 payloads uses every core, while a person scanning one
/// code at a time still sees each answer at once (nothing waits for a batch to fill).
///
/// A reader thread reads lines and queues them (at most `window` ahead of the answers, so memory stays flat);
/// `threads` workers run `work`, taking several queued lines at a time when many are waiting; the calling
/// thread runs `deliver`, in order, so it needs no locking, and `delivered` after each run of answers that were
/// ready together (one write for them all, not one per answer).
enum OrderedLineStream {
    /// Reads stdin to its end. Lines for which `skip` is true are dropped before any work.
    static func run<Output: Sendable>(threads: Int, window: Int = 1024,
                                      skip: @escaping @Sendable (String) -> Bool,
                                      work: @escaping @Sendable (String) -> Output,
                                      deliver: (Output) -> Void, delivered: () -> Void = {}) {
        let threads = max(1, threads)
        let state = State<Output>(window: max(window, threads), threads: threads)
        Thread {
            var lines = BoundedLines(fd: 0)
            while let line = lines.next() {
                if skip(line) { continue }
                state.submit(line)
            }
            state.endOfInput()
        }.start()
        // The workers' libcrypto state is freed before the last answer is returned (CryptoThread.finish).
        let workers = DispatchGroup()
        for _ in 0..<threads {
            workers.enter()
            Thread {
                while let (first, lines) = state.take() { state.complete(from: first, lines.map(work)) }
                CryptoThread.finish()
                workers.leave()
            }.start()
        }
        while let outputs = state.nextInOrder() {
            for output in outputs { deliver(output) }
            delivered()
        }
        workers.wait()
    }

    /// Lines waiting, answers waiting, and the counters that order them, under one lock. A change wakes the
    /// sleeping threads only when one of them waits for it: most lines cost no wake-up at all.
    private final class State<Output: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private let window: Int
        private let threads: Int
        private var queue: [String] = []
        private var queueStart = 0
        /// Sequence number of `queue[queueStart]`.
        private var nextToTake = 0
        private var done: [Int: Output] = [:]
        private var submitted = 0
        private var delivered = 0
        private var ended = false
        private var idleWorkers = 0
        private var readerWaiting = false
        private var deliveryWaiting = false

        init(window: Int, threads: Int) {
            self.window = window
            self.threads = threads
        }

        /// Queues a line, waiting while `window` lines are ahead of the answers.
        func submit(_ line: String) {
            condition.lock()
            while submitted - delivered >= window {
                readerWaiting = true
                condition.wait()
            }
            readerWaiting = false
            queue.append(line)
            submitted += 1
            if idleWorkers > 0 { condition.broadcast() }
            condition.unlock()
        }

        func endOfInput() {
            condition.lock()
            ended = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next lines to work on and the sequence number of the first: a fair share of what is queued,
        /// one line when little is; nil once the input has ended and every line is taken.
        func take() -> (Int, [String])? {
            condition.lock()
            defer { condition.unlock() }
            while queueStart == queue.count && !ended {
                idleWorkers += 1
                condition.wait()
                idleWorkers -= 1
            }
            let waiting = queue.count - queueStart
            guard waiting > 0 else { return nil }
            let count = min(32, max(1, waiting / (threads * 2)))
            let lines = Array(queue[queueStart..<(queueStart + count)])
            let first = nextToTake
            queueStart += count
            nextToTake += count
            if queueStart > 4096 && queueStart * 2 > queue.count {
                queue.removeFirst(queueStart)
                queueStart = 0
            }
            return (first, lines)
        }

        func complete(from first: Int, _ outputs: [Output]) {
            condition.lock()
            for (offset, output) in outputs.enumerated() { done[first + offset] = output }
            if deliveryWaiting && done[delivered] != nil { condition.broadcast() }
            condition.unlock()
        }

        /// The answers that are next in input order, once the first of them is ready; nil after the last.
        func nextInOrder() -> [Output]? {
            condition.lock()
            defer { condition.unlock() }
            while done[delivered] == nil && !(ended && delivered == submitted) {
                deliveryWaiting = true
                condition.wait()
            }
            deliveryWaiting = false
            var outputs: [Output] = []
            while let output = done.removeValue(forKey: delivered) {
                outputs.append(output)
                delivered += 1
            }
            if outputs.isEmpty { return nil }
            if readerWaiting { condition.broadcast() }
            return outputs
        }
    }
}

/// Lines of a file descriptor, each cut at `maxBytes`: a hostile 200 MB "scan" costs 64 KiB of memory, and
/// what is kept is still far longer than any payload, so it fails at stage `prefix` with PAYLOAD_TOO_LONG.
struct BoundedLines {
    private let fd: Int32
    private let maxBytes: Int
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var finished = false

    init(fd: Int32, maxBytes: Int = 1 << 16) {
        self.fd = fd
        self.maxBytes = maxBytes
    }

    /// The next line without its LF (a CR stays; scan text trimming removes it), nil at the end of input.
    mutating func next() -> String? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if start == end {
                guard !finished, refill() else {
                    return sawAny ? String(decoding: line, as: UTF8.self) : nil
                }
            }
            sawAny = true
            let available = buffer[start..<end]
            if let newline = available.firstIndex(of: 0x0A) {
                append(available[start..<newline], to: &line)
                start = newline + 1
                return String(decoding: line, as: UTF8.self)
            }
            append(available, to: &line)
            start = end
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8]) {
        let room = maxBytes - line.count
        if room > 0 { line.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func refill() -> Bool {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                finished = true
                return false
            }
            start = 0
            end = n
            return true
        }
    }
}

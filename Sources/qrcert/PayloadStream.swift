import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertIO

/// `verify -`: every payload line of a file descriptor verified and answered in input order, each answer written
/// as soon as it and every answer before it are ready (a person scanning one code at a time sees it at once).
///
/// With one job everything runs on the calling thread: a line is read, verified and rendered in place, and the
/// answers leave in one write whenever 64 KiB are ready or the next line is not in yet (no thread, no hand-off:
/// docs/PERFORMANCE.md). With more, a reader thread cuts the input into batches (the lines one read brought,
/// at most 64), `jobs` workers of an `OrderedMap` each verify and render a batch, and the calling thread writes
/// the rendered batches in order: one hand-off and at most one wake-up per batch, the verdicts released on the
/// thread that made them. At most `4 x jobs` batches are in flight, so memory stays flat whatever the input.
struct PayloadStream {
    let verifier: Verifier
    let time: Int64
    let renderer: VerdictRenderer
    let json: Bool
    let jobs: Int

    /// Lines one batch holds at most: enough that a hand-off costs nothing per payload, few enough that the
    /// workers share the last batches of an input evenly.
    static let batchLines = 64

    /// How many payloads were answered and whether all of them were valid.
    struct Outcome {
        var answered = 0
        var allValid = true
    }

    /// Answers every payload line of `fd`, writing the answers to stdout.
    func run(fd: Int32) -> Outcome {
        jobs == 1 ? inline(fd: fd) : parallel(fd: fd)
    }

    /// One job: read, verify, render and write on this thread.
    private func inline(fd: Int32) -> Outcome {
        let lines = BoundedLines(fd: fd)
        let answerer = Answerer(self)
        let out = WriteBuffer(capacity: 1 << 17)
        var outcome = Outcome()
        func flush() {
            Console.write(out)
            out.removeAll()
        }
        while true {
            var next = lines.next(waiting: false)
            if case .wouldRead = next {
                flush()  // what is answered goes out before a read that may wait for the next scan
                next = lines.next(waiting: true)
            }
            guard case .line(let line) = next else { break }
            if let valid = answerer.answer(line, into: out) {
                outcome.answered += 1
                outcome.allValid = outcome.allValid && valid
                if out.count >= 1 << 16 { flush() }
            }
        }
        flush()
        CryptoThread.finish()  // as each worker does: this thread's libcrypto state is freed now, not at exit
        return outcome
    }

    /// Lines read together, in one buffer.
    private struct LineBatch: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        init() {
            bytes.reserveCapacity(1 << 15)
            ends.reserveCapacity(PayloadStream.batchLines)
        }

        mutating func append(_ line: UnsafeRawBufferPointer) {
            bytes.append(contentsOf: line)
            ends.append(bytes.count)
        }
    }

    /// A batch's answers, rendered.
    private struct AnswerBatch: Sendable {
        var bytes: [UInt8]
        var outcome: Outcome
    }

    /// `jobs` workers; a reader thread submits, this thread writes.
    private func parallel(fd: Int32) -> Outcome {
        let stream = self
        let map = OrderedMap<LineBatch, AnswerBatch>(threads: jobs, window: 4 * jobs) {
            // Each worker's own: a zlib stream and a buffer, reused for every batch it answers.
            let answerer = Answerer(stream)
            let out = WriteBuffer(capacity: 1 << 17)
            return { batch in
                var outcome = Outcome()
                out.removeAll()
                batch.bytes.withUnsafeBytes { bytes in
                    var start = 0
                    for end in batch.ends {
                        if let valid = answerer.answer(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), into: out) {
                            outcome.answered += 1
                            outcome.allValid = outcome.allValid && valid
                        }
                        start = end
                    }
                }
                return AnswerBatch(bytes: out.bytes, outcome: outcome)
            }
        }
        defer { map.close() }
        Thread {
            let lines = BoundedLines(fd: fd)
            var batch = LineBatch()
            while true {
                // Wait for a line only when the batch is empty: what is in goes to a worker before a read may wait.
                let next = lines.next(waiting: batch.ends.isEmpty)
                if case .line(let line) = next {
                    batch.append(line)
                    if batch.ends.count < Self.batchLines && batch.bytes.count < 1 << 16 { continue }
                }
                if !batch.ends.isEmpty {
                    map.submit(batch)
                    batch = LineBatch()
                }
                if case .end = next { break }
            }
            map.finish()
        }.start()
        var outcome = Outcome()
        while let answers = map.next() {
            for answer in answers {
                outcome.answered += answer.outcome.answered
                outcome.allValid = outcome.allValid && answer.outcome.allValid
                if !answer.bytes.isEmpty { Console.write(bytes: answer.bytes) }
            }
        }
        return outcome
    }

    /// Verifies one line's payload and renders its answer: one per thread (its zlib stream is reused).
    private final class Answerer {
        private let verifier: Verifier
        private let time: Int64
        private let renderer: VerdictRenderer
        private let json: Bool
        private let inflater = Inflater()

        init(_ stream: PayloadStream) {
            verifier = stream.verifier
            time = stream.time
            renderer = stream.renderer
            json = stream.json
        }

        /// Renders the answer to the payload on `line` into `out` and says whether it was valid; nil for a blank
        /// line, which is not a payload and gets no answer.
        func answer(_ line: UnsafeRawBufferPointer, into out: WriteBuffer) -> Bool? {
            guard let payload = ScanText.payload(line) else { return nil }
            let answer = VerdictRenderer.Answer.verdict(verifier.verify(payload, at: time, inflater: inflater))
            if json {
                renderer.jsonLine(answer, into: out)
            } else {
                renderer.text(answer, origin: nil, into: out)
            }
            return answer.isValid
        }
    }
}

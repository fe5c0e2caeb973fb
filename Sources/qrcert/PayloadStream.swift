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
/// docs/PERFORMANCE.md). With more, `jobs` workers (this thread and `jobs - 1` others) each take the next batch
/// of lines from the input (the lines one read brought, at most 64), verify and render it into their own buffer
/// and write it when every batch before it is written (`PayloadWorkers`): a payload's bytes and its answer stay
/// on the core that handles them. At most `4 x jobs` batches are in flight, so memory stays flat whatever the input.
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

    /// `jobs` workers, this thread one of them, each reading its own batch, answering it into its own buffer and
    /// writing it in input order (`PayloadWorkers`).
    private func parallel(fd: Int32) -> Outcome {
        let workers = PayloadWorkers(lines: BoundedLines(fd: fd), window: 4 * jobs)
        let stream = self
        for number in 1..<jobs {
            let thread = Thread { workers.work(Answerer(stream)) }
            thread.name = "qrcert-worker-\(number + 1)"
            thread.start()
        }
        workers.work(Answerer(stream))
        return workers.outcome(waitingFor: jobs)
    }

    /// Verifies one line's payload and renders its answer: one per thread (its zlib stream is reused).
    final class Answerer {
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

import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertOptions
import QRCertFormat

/// `qrcert verify`: is this code genuine?
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify QR payloads offline against trusted keys: VALID or INVALID, the reason, and the record.",
        discussion: """
        With - or no payload, reads one payload per line from stdin (a USB scanner types one per line) and answers each at once; scanner artefacts (CR/LF, surrounding spaces, Caps Lock) are undone and blank lines skipped. With --image, every QR code in each PNG or JPEG file (a photo, a scan, a sheet of licences) is verified, one answer per code naming the file and the code's position; a file with no readable code is answered IMG_NO_CODE.

        On a terminal the verdict is a coloured band (NO_COLOR turns colour off), in Vietnamese or English (--lang, default from LANG). Exit 0 only if every payload was valid, 1 if any was rejected or an image held no readable code, 2 if verification could not run (or a file could not be read).

        Examples:
          qrcert verify --trust keys/danang-csgt.pub.pem 'QC1:6BF...'
          qrcert verify --trust keys/ --lang vi --image photo.jpg scan-page.png
          qrcert verify --trust keys/    # then scan with a USB scanner
          qrcert verify --trust keys/ --at 2030-01-01 --json - < payloads.txt
          qrcert verify --trust-list trust-list.cose --root root.pub.pem \\
              --revocations revocations.cose 'QC1:...'
          qrcert verify --trust-ca csca.pem 'QC1:...'
        """
    )

    @Option(help: "Trusted public key or signer certificate (PEM or DER), or a folder of them; repeatable.")
    var trust: [String] = []

    @Option(name: .customLong("trust-ca"), help: ArgumentHelp(
        "CA certificate (a CSCA, PEM or DER) that signer certificates must chain to, offline: those the payloads carry (x5chain) and those given with --trust; repeatable.",
        valueName: "file"))
    var trustCA: [String] = []

    @OptionGroup(title: "Signed trust and revocation lists (docs/TRUST.md)") var lists: SignedListOptions

    @Option(help: "Verify at this time (ISO 8601, e.g. 2030-01-01 or 2030-01-01T08:00:00+07:00) instead of now.")
    var at: String?

    @Option(help: "Tolerated clock skew for iat/nbf in the future, in seconds.")
    var skew: Int64 = 300

    @Option(help: "Extra profile JSON file for credential types not built in; repeatable.")
    var profile: [String] = []

    @Flag(help: "One JSON object per payload instead of text.")
    var json = false

    @Option(help: "Language of labels and messages: vi or en (default from LANG).")
    var lang: Language?

    @Option(name: .customLong("image"), parsing: .upToNextOption,
            help: "PNG or JPEG files (photos, scans, sheets) whose QR codes to verify; - reads one image from stdin.")
    var images: [String] = []

    @Option(help: "Threads verifying the payloads read from stdin (default: every core); answers keep input order.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Argument(help: "Payloads, or - to read them from stdin, one per line (default).")
    var payloads: [String] = []

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1 to 256") }
        guard (0...604_800).contains(skew) else { throw ValidationError("--skew must be 0 to 604800 seconds (a week)") }
        if !images.isEmpty && !payloads.isEmpty {
            throw ValidationError("give either payloads or --image files, not both (put every image file after --image)")
        }
    }

    func run() throws {
        let sources = VerifierSources(trust: trust, trustCA: trustCA, trustList: lists.trustList, root: lists.root,
                                      revocations: lists.revocations, environment: lists.environment, state: lists.state,
                                      profiles: profile, skew: skew, at: at)
        let setup = sources.load(now: Int64(Date().timeIntervalSince1970))
        let language = lang ?? Language.fromEnvironment()
        for warning in setup.warnings { for line in warning.lines(language: language) { Console.diagnostic(line) } }
        let verifier = try setup.accepted()
        let time = setup.time
        var renderer = VerdictRenderer(language: language, style: Style(enabled: Console.colour))
        renderer.large = Console.stdoutIsTerminal
        renderer.width = min(max(Console.columns ?? 64, 32), 80)
        var allValid = true
        // Every answer is rendered into this one buffer and written from it: no string per answer.
        let buffer = WriteBuffer()
        func write(_ answer: VerdictRenderer.Answer, origin: VerdictRenderer.Origin? = nil) {
            if json {
                renderer.jsonLine(answer, origin: origin, into: buffer)
            } else {
                renderer.text(answer, origin: origin, into: buffer)
            }
            Console.write(buffer)
            buffer.removeAll()
        }
        func answer(_ text: String) {
            let verdict = verifier.verify(ScanText.normalize(text), at: time)
            allValid = allValid && verdict.isValid
            write(.verdict(verdict))
        }
        var images = self.images
        // `verify photo.jpg`: an image file given where a payload goes is read as one, and the user told so.
        if images.isEmpty, !payloads.isEmpty, payloads.allSatisfy(ImageScan.isImageArgument) {
            images = payloads
            Console.diagnostic(renderer.reader.readingAsImages(payloads))
        }
        if !images.isEmpty {
            var status = Status.ok
            for file in images {
                for (answer, origin) in ImageScan.read(file, verifier: verifier, at: time) {
                    if !answer.isValid { status = max(status, answer.status) }
                    // A file that cannot be read is an error about the command, not a verdict on a code.
                    if !json, case .unread(let error) = answer, error.stage == .io {
                        if renderer.language == .vi {
                            Console.diagnostic("qrcert: lỗi: \(ReasonText.sentence(error, language: .vi)): \(file) [\(error.code)]")
                        } else {
                            Console.report(error)
                        }
                        continue
                    }
                    write(answer, origin: origin)
                }
            }
            if status != Status.ok { throw ExitCode(status) }
            return
        }
        if payloads.isEmpty || payloads == ["-"] {
            if Console.stdinIsTerminal && !json {
                // Echo off first: a scan typed the moment the prompt shows is not echoed either.
                TerminalEcho.off()
                Console.diagnostic(renderer.reader.waitingForScans)
            }
            defer { TerminalEcho.restore() }
            Allocator.keepFreedMemory()  // as for issue: freed memory is reused, not returned and faulted in again
            // Verified on `jobs` threads (one: on this one), answered in input order, each answer as soon as it is
            // ready (docs/PERFORMANCE.md).
            let outcome = PayloadStream(verifier: verifier, time: time, renderer: renderer, json: json, jobs: jobs).run(fd: 0)
            allValid = outcome.allValid
            // An empty input is not "every payload valid": the step before may have failed.
            guard outcome.answered > 0 else {
                throw QRCertError(.io, "VERIFY_NO_PAYLOAD", "no payload read from stdin; nothing was verified",
                                  hint: "check the command that feeds qrcert verify -")
            }
        } else {
            for payload in payloads { answer(payload) }
        }
        if !allValid { throw ExitCode(Status.rejected) }
    }
}

extension VerdictRenderer.Answer {
    /// The exit status this answer asks for: a file that could not be read means the check could not run.
    var status: Int32 {
        switch self {
        case .verdict(let verdict): verdict.isValid ? Status.ok : Status.rejected
        case .unread(let error): error.stage == .io ? Status.couldNotRun : Status.rejected
        }
    }
}

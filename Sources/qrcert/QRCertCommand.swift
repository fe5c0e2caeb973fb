import ArgumentParser
import Foundation
import QRCertFormat

/// `qrcert`: issue and verify signed QR certificates for licences and permits.
@main
struct QRCertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qrcert",
        abstract: "Issue and verify signed QR certificates for licences and permits.",
        discussion: """
        Payloads are COSE_Sign1 over CWT claims, zlib-compressed and Base45-encoded (docs/FORMAT.md). Exit codes: 0 success or every payload valid, 1 checked and rejected (an invalid payload, bad rows), 2 could not run.

        Examples:
          qrcert keygen --out keys/danang-csgt
          qrcert issue --key keys/danang-csgt.key.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" \\
              --profile driving-licence --out out/ records.csv
          qrcert verify --trust keys/danang-csgt.pub.pem 'QC1:...'
          cut -f2 payloads.txt | qrcert verify --trust keys/ --json -
        """,
        version: "0.1.0",
        subcommands: [KeygenCommand.self, IssueCommand.self, VerifyCommand.self, InspectCommand.self, ProfilesCommand.self, TrustListCommand.self, RevokeCommand.self, ServeCommand.self]
    )

    /// Runs the tool with qrcert's exit codes: usage errors exit 2 (not ArgumentParser's 64).
    static func main() {
        // `qrcert serve ...` is qrcert-serve's to parse, --help included.
        if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "serve" {
            do {
                try ServeCommand.exec(Array(CommandLine.arguments.dropFirst(2)))
            } catch {
                Console.report(error)
                Foundation.exit(Status.couldNotRun)
            }
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            reportUsage(error)
            Foundation.exit(Status.couldNotRun)
        }
        // A file size limit (ulimit -f) must end in IO_WRITE with a message, not in SIGXFSZ killing the run mid-file.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = command
            try command.run()
        } catch let error as QRCertError {
            Console.report(error)
            Foundation.exit(Status.couldNotRun)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            reportUsage(error)
            Foundation.exit(Status.couldNotRun)
        }
    }
}

extension QRCertCommand {
    /// A usage error in qrcert's one-line form, `qrcert: error: MESSAGE [USAGE]`, then a hint pointing to --help.
    static func reportUsage(_ error: Error) {
        var text = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        Console.diagnostic("qrcert: error: \(lines.first.map(String.init) ?? "bad arguments") [USAGE]")
        for line in lines.dropFirst() { Console.diagnostic("qrcert: hint: \(line.trimmingCharacters(in: .whitespaces))") }
        Console.diagnostic("qrcert: hint: see qrcert --help, or qrcert COMMAND --help")
    }
}

/// Exit statuses (README, docs/ERRORS.md).
enum Status {
    /// Everything issued / every payload valid.
    static let ok: Int32 = 0
    /// Checked and rejected: an invalid payload, or bad input rows.
    static let rejected: Int32 = 1
    /// Could not run: bad arguments, unreadable key or trust file, I/O failure.
    static let couldNotRun: Int32 = 2
}

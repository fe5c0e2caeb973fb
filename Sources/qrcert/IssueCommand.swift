import ArgumentParser
import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertImage

/// `qrcert issue`: records in, signed QR codes out.
struct IssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue signed QR codes from a CSV, JSON or JSON Lines file of records.",
        discussion: """
        Writes OUT/<id>.png per record and OUT/manifest.jsonl (id, payload, file, ...), in input order.
        A bad row is reported as FILE:LINE: FIELD: reason [CODE] and listed in OUT/rejects.jsonl; the
        good rows are still issued and the run exits 1. With --strict nothing is issued when any row is bad.
        Every payload is verified with the public key right after signing.

        Examples:
          qrcert issue --key keys/dn.key.pem --issuer "Sở GTVT Đà Nẵng" --profile driving-licence --out out/ records.csv
          qrcert issue --key keys/dn.key.pem --issuer "Sở GTVT Đà Nẵng" --profile driving-licence --format payload - < records.jsonl --input-format jsonl
        """
    )

    @Option(help: "Private key file (PEM, mode 0600).")
    var key: String

    @Option(help: "Issuing authority's name, as printed (the CWT iss claim).")
    var issuer: String

    @Option(help: "Profile: driving-licence, transport-permit, construction-permit, or a profile JSON file.")
    var profile: String

    @Option(help: "Output folder for PNGs and the manifest (required with --format png).")
    var out: String?

    @Option(help: "png: a PNG per record plus manifest; payload: the QR texts on stdout, one per line.")
    var format: OutputFormat = .png

    @Option(name: .customLong("input-format"), help: "csv, json (array of objects) or jsonl; default from the extension, csv for stdin.")
    var inputFormat: InputFormat?

    @Option(help: "QR error-correction level L, M, Q or H (Q, as the EU DCC recommends for print).")
    var ec: ErrorCorrection = .Q

    @Option(name: .customLong("module-size"), help: "Pixels per QR module.")
    var moduleSize: Int = 4

    @Option(help: "Quiet zone in modules (at least 4).")
    var margin: Int = 4

    @Option(help: "Worker threads (default: every core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Issue nothing if any row is bad.")
    var strict = false

    @OptionGroup var passphrase: PassphraseOptions

    @Argument(help: "Records file, or - for stdin (default).")
    var input: String?

    func validate() throws {
        guard margin >= 4 else { throw ValidationError("--margin must be at least 4 modules (the QR quiet zone)") }
        guard (1...64).contains(moduleSize) else { throw ValidationError("--module-size must be 1 to 64 pixels") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1 to 256") }
        if format == .png && out == nil { throw ValidationError("--out is required with --format png") }
    }

    func run() throws {
        let profile = try ProfileLoader.load(self.profile)
        let signingKey = try passphrase.loadPrivateKey(key)
        let issuer = try Issuer(key: signingKey, name: self.issuer)
        let batch = BatchIssue(profile: profile, issuer: issuer, jobs: jobs)

        // --strict reads the input twice (check, then issue): stdin is first copied to a temporary file.
        var inputPath = self.input
        var spool: String?
        defer { if let spool { unlink(spool) } }
        if strict {
            if inputPath == nil || inputPath == "-" {
                spool = try Files.spoolStandardInput()
                inputPath = spool
            }
            let rejects = try prevalidate(inputPath ?? "-", spooled: spool != nil, profile: profile)
            guard rejects.isEmpty else {
                for rejection in rejects { Console.diagnostic(rejection.description) }
                Console.diagnostic("qrcert: \(rejects.count) bad row(s); nothing issued (--strict)")
                throw ExitCode(Status.rejected)
            }
        }

        var input = try RecordInput.open(inputPath, format: spool == nil ? inputFormat : inputFormat ?? .csv,
                                         name: spool == nil ? nil : "<stdin>")
        let progress = Progress(enabled: Console.stderrIsTerminal, totalBytes: input.totalBytes)
        var issued = 0, rejected = 0
        let sink = try OutputSink(format: format, folder: out)

        // Readers share their byte stream between copies: this copy reports progress while `run` owns the original.
        let progressProbe = input.reader
        let png = PNGOptions(moduleSize: moduleSize, margin: margin)
        let level = ec, folder = out, mode = format
        try batch.run(&input.reader, produce: { (credential: Credential, result: Issuer.Issued) throws(QRCertError) -> Rendered in
            guard mode == .png, let folder else { return Rendered(file: nil, version: nil) }
            let code = try QRCode.encode(result.payload, level: level)
            let name = Files.safeName(credential.id) + ".png"
            try Files.writeAtomically(folder + "/" + name, bytes: try PNGRenderer.render(code, options: png))
            return Rendered(file: name, version: code.version)
        }, emit: { (entry: BatchIssue.Entry<Rendered>) throws(QRCertError) in
            switch entry {
            case .issued(let row, let credential, let result, let rendered):
                issued += 1
                try sink.issued(row: row, credential: credential, result: result, rendered: rendered, level: level)
            case .rejected(let rejection):
                rejected += 1
                Console.diagnostic(rejection.description)
                try sink.rejected(rejection)
            }
            progress.update(issued: issued, rejected: rejected, bytesRead: progressProbe.bytesRead)
        })
        progress.finish()
        try sink.close()
        let seconds = progress.elapsed
        Console.diagnostic(String(format: "qrcert: issued %d, rejected %d in %.2f s (%.0f records/s)",
                                  issued, rejected, seconds, Double(issued) / max(seconds, 0.000_001)))
        if rejected > 0 { throw ExitCode(Status.rejected) }
    }

    /// Reads the whole input once, checking every row, without signing anything.
    private func prevalidate(_ path: String, spooled: Bool, profile: Profile) throws(QRCertError) -> [RejectedRow] {
        var opened = try RecordInput.open(path, format: spooled ? inputFormat ?? .csv : inputFormat, name: spooled ? "<stdin>" : nil)
        var checker = RecordChecker(profile: profile)
        var rejects: [RejectedRow] = []
        while let next = try opened.reader.next() {
            if case .failure(let rejection) = checker.check(next) { rejects.append(rejection) }
        }
        return rejects
    }
}

/// Output forms of `issue`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case png, payload
}

extension ErrorCorrection: ExpressibleByArgument {}

/// What the worker made of one record.
struct Rendered: Sendable {
    let file: String?
    let version: Int?
}

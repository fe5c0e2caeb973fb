import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat
import QRCertImage
import QRCertPrint

/// `qrcert issue`: records in, signed QR codes out.
struct IssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue signed QR codes from a CSV, JSON or JSON Lines file of records.",
        discussion: """
        Writes OUT/<id>.png per record and OUT/manifest.jsonl (id, payload, file, ...), in input order. A bad row is reported as FILE:LINE: FIELD: reason [CODE] and listed in OUT/rejects.jsonl; the good rows are still issued and the run exits 1. With --strict nothing is issued when any row is bad. Every payload is verified with the public key right after signing.

        Since 1 March 2025 driving licences are issued by the traffic police (Phòng CSGT Công an of the province; nationally Cục Cảnh sát giao thông): --issuer names the authority that signs.

        Examples:
          qrcert issue --key keys/danang-csgt.key.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" \\
              --profile driving-licence --out out/ records.csv
          qrcert issue --key keys/danang-csgt.key.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" \\
              --profile driving-licence --input-format jsonl \\
              --format payload - < records.jsonl > payloads.txt
          qrcert issue --key 'pkcs11:token=CSGT%20Da%20Nang;object=dl-2026' \\
              --pkcs11-module /usr/lib/softhsm/libsofthsm2.so \\
              --pin-file /run/qrcert/pin --cert dl-2026.crt.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" \\
              --profile driving-licence --out out/ records.csv
        """
    )

    @Option(help: "Private key: a PEM file (mode 0600), or a key in a token as a pkcs11: URI (RFC 7512), e.g. 'pkcs11:token=CSGT;object=dl-2026'.")
    var key: String

    @Option(help: ArgumentHelp("X.509 signer certificate of the key (PEM or DER): payloads name its kid; it must cover every credential's window.", valueName: "file"))
    var cert: String?

    @Flag(name: .customLong("embed-cert"), help: "Carry the --cert certificate in each payload (x5chain, RFC 9360), for verifiers that trust a CA (verify --trust-ca).")
    var embedCert = false

    @Option(help: "Issuing authority's name, as printed (the CWT iss claim).")
    var issuer: String

    @Option(help: "Profile: driving-licence, transport-permit, construction-permit, or a profile JSON file.")
    var profile: String

    @Option(help: "Output folder for PNGs and the manifest (required with --format png).")
    var out: String?

    @Option(help: "png: a PNG per record plus manifest; payload: the QR texts on stdout, one per line; pdf, svg: print layouts at physical size (--layout, docs/PRINT.md).")
    var format: OutputFormat = .png

    @OptionGroup(title: "Print") var printing: PrintArguments

    @Option(name: .customLong("input-format"), help: "csv, json (array of objects) or jsonl; default from the extension, csv for stdin.")
    var inputFormat: InputFormat?

    @Option(help: "CSV field separator: ',' or ';' (default: ';' when the header line has semicolons and no comma, else ',').")
    var delimiter: CSVRecordReader.Delimiter?

    @Option(help: "QR error-correction level L, M, Q or H (Q, as the EU DCC recommends for print).")
    var ec: ErrorCorrection = .Q

    @Option(name: .customLong("module-size"), help: "Pixels per QR module.")
    var moduleSize: Int = 4

    @Option(help: "Quiet zone in modules (at least 4).")
    var margin: Int = 4

    @Option(help: "Worker threads (default: every core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Put each PNG in a sub-folder named by the first N hex digits of SHA-256 of its id (1-4: 16 to 65,536 folders); 0 keeps them flat.")
    var shard: Int = 0

    @Option(help: "Issue only part K of N of the input (K/N, chosen by a hash of the id), one independent job per part: see docs/BATCH.md.")
    var partition: String?

    @Flag(help: "Finish a stopped run in the same --out folder: records already in its manifest are not issued again.")
    var resume = false

    @Flag(help: "Issue nothing if any row is bad: the whole input is checked first, QC2: payloads too long for a QR code included (QC1: ones are found only when drawn).")
    var strict = false

    @Flag(help: "Sign every credential as a SPECIMEN (training cards, samples): verify shows SPECIMEN and never accepts it.")
    var specimen = false

    @Option(name: .customLong("payload-version"), help: "2: compact QC2: payloads (the default, docs/FORMAT.md §9); 1: QC1: payloads, for verifiers older than version 2.")
    var payloadVersion = 2

    @OptionGroup var passphrase: PassphraseOptions

    @Argument(help: "Records file, or - for stdin (default).")
    var input: String?

    func validate() throws {
        guard margin >= 4 else { throw ValidationError("--margin must be at least 4 modules (the QR quiet zone)") }
        guard (1...64).contains(moduleSize) else { throw ValidationError("--module-size must be 1 to 64 pixels") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1 to 256") }
        guard (0...OutputLayout.maxShard).contains(shard) else { throw ValidationError("--shard must be 0 to \(OutputLayout.maxShard)") }
        if format != .payload && out == nil { throw ValidationError("--out is required with --format \(format.rawValue)") }
        if format == .payload && (resume || shard > 0) { throw ValidationError("--resume and --shard apply to --format png, pdf and svg") }
        _ = try printing.options(for: format)
        if printing.layout == .sheet && shard > 0 { throw ValidationError("--shard does not apply to --layout sheet (one PDF)") }
        if let partition {
            do throws(QRCertError) { _ = try Partition(partition) } catch { throw ValidationError(error.message) }
        }
        if embedCert && cert == nil { throw ValidationError("--embed-cert needs --cert") }
        guard payloadVersion == 1 || payloadVersion == 2 else { throw ValidationError("--payload-version must be 1 or 2") }
    }

    func run() throws {
        // Before anything is opened or created: waiting for records typed at a terminal looks like a hang,
        // and an output folder made now would hold an empty manifest that blocks the next run.
        if input == nil && Console.stdinIsTerminal {
            throw QRCertError(.usage, "USAGE", "no records file given and stdin is a terminal",
                              hint: "name the file (qrcert issue ... records.csv), or pipe it in: qrcert issue ... - < records.csv")
        }
        Allocator.keepFreedMemory()
        let profile = try ProfileLoader.load(self.profile)
        let signingKey = try passphrase.loadSigner(key)
        let certificate = try cert.map { (path) throws(QRCertError) in try CertificateFile.read(path) }
        var issuer = try Issuer(key: signingKey, name: self.issuer, certificate: certificate, embedCertificate: embedCert,
                                encoding: payloadVersion == 1 ? .version1 : .compact)
        issuer.specimen = specimen
        let partition = try self.partition.map { text throws(QRCertError) in try Partition(text) } ?? .whole
        let batch = BatchIssue(profile: profile, issuer: issuer, jobs: jobs, partition: partition)

        // --strict reads the input twice (check, then issue): stdin is first copied to a temporary file.
        var inputPath = self.input
        var spool: String?
        defer { if let spool { unlink(spool) } }
        if strict {
            if inputPath == nil || inputPath == "-" {
                spool = try Files.spoolStandardInput()
                inputPath = spool
            }
            let rejects = try prevalidate(inputPath ?? "-", spooled: spool != nil, batch: batch)
            guard rejects.isEmpty else {
                for rejection in rejects { Console.diagnostic(rejection.description) }
                Console.diagnostic("qrcert: \(rejects.count) bad row(s); nothing issued (--strict)")
                throw ExitCode(Status.rejected)
            }
        }

        var input = try RecordInput.open(inputPath, format: spool == nil ? inputFormat : inputFormat ?? .csv,
                                         delimiter: delimiter, name: spool == nil ? nil : "<stdin>")
        // A header that does not fit the profile fails before anything is created in the output folder.
        try input.reader.start(checking: profile)
        let layout = OutputLayout(shard: shard, fileExtension: format.printFormat?.rawValue ?? "png")
        if try printing.checkModuleSize() { Console.diagnostic(PrintOutput.smallModuleWarning) }
        let printer = try printing.options(for: format).map { options throws(QRCertError) in
            PrintOutput(layout: printing.layout ?? .card, format: format.printFormat ?? .pdf, options: options,
                        fonts: try TypesetterPool(), issuer: self.issuer, level: ec)
        }
        let png = printing.moduleMM.map { PNGOptions(moduleSize: moduleSize, margin: margin, moduleMillimetres: $0) }
            ?? PNGOptions(moduleSize: moduleSize, margin: margin)
        let output = RecordOutput(format: format, folder: out, layout: layout, png: png, level: ec, printer: printer,
                                  replacing: resume)
        let earlier = try resume ? out.map { folder throws(QRCertError) in try EarlierRun(folder: folder, issuer: issuer, ec: ec.rawValue, sheet: printer?.layout == .sheet) } : nil
        if let earlier, earlier.removedTemporaries > 0 {
            Console.diagnostic("qrcert: removed \(earlier.removedTemporaries) unfinished temporary file(s) of the earlier run")
        }
        let sink = try OutputSink(format: format, level: ec, folder: out, earlier: earlier, printing: printer,
                                  date: ISO8601DateFormatter().string(from: Date()))
        var warnedSmall = false
        let progress = Progress(enabled: Console.stderrIsTerminal, totalBytes: input.totalBytes)
        var issued = 0, rejected = 0, skipped = 0

        // Readers share their byte stream between copies: this copy reports progress while `run` owns the original.
        let progressProbe = input.reader
        Interruption.install()
        defer { Interruption.uninstall() }
        do {
            try batch.run(&input.reader, producing: output, into: sink, resuming: earlier?.walk,
                          shouldStop: { Interruption.requested != nil },
                          observe: { (entry: BatchIssue.Entry<Rendered>) throws(QRCertError) in
            switch entry {
            case .issued(_, let credential, _, let rendered):
                issued += 1
                if let mm = rendered.moduleMM, !warnedSmall, ModuleRules.isBelowRecommended(mm) {
                    warnedSmall = true
                    Console.diagnostic(PrintOutput.smallModuleWarning + " (\(credential.id) first)")
                }
            case .rejected(let rejection):
                rejected += 1
                progress.diagnostic(rejection.description)
            case .skipped:
                skipped += 1
            }
            progress.update(issued: issued, rejected: rejected, skipped: skipped, bytesRead: progressProbe.bytesRead)
        })
        } catch {
            if error.stage == .records {
                // The input could not be read on: what came before it is issued and in the manifest.
                progress.finish()
                try sink.close()
                Console.diagnostic("qrcert: stopped reading: " + Self.summary(issued: issued, rejected: rejected, seconds: progress.elapsed))
            }
            throw error
        }
        progress.finish()
        try sink.close()
        var summary = Self.summary(issued: issued, rejected: rejected, seconds: progress.elapsed)
        if let earlier {
            summary += "; \(skipped) already issued by the earlier run"
            if earlier.walk.redrawn > 0 { summary += " (\(earlier.walk.redrawn) PNG(s) drawn again from the manifest)" }
        }
        if let signal = Interruption.requested {
            Console.diagnostic("qrcert: stopped: " + summary)
            if format != .payload, let folder = out {
                Console.diagnostic("qrcert: hint: run the same command with --resume to finish \(folder)")
            }
            throw ExitCode(128 + signal)
        }
        Console.diagnostic("qrcert: " + summary)
        if rejected > 0 { throw ExitCode(Status.rejected) }
    }

    /// `issued N, rejected M in S s (R records/s)`.
    private static func summary(issued: Int, rejected: Int, seconds: Double) -> String {
        String(format: "issued %d, rejected %d in %.2f s (%.0f records/s)",
               issued, rejected, seconds, Double(issued) / max(seconds, 0.000_001))
    }

    /// Reads the whole input once, checking every row, without signing anything (`BatchIssue.check`).
    private func prevalidate(_ path: String, spooled: Bool, batch: BatchIssue) throws(QRCertError) -> [RejectedRow] {
        var opened = try RecordInput.open(path, format: spooled ? inputFormat ?? .csv : inputFormat, delimiter: delimiter,
                                          name: spooled ? "<stdin>" : nil)
        return try batch.check(&opened.reader, drawnAt: format == .payload ? nil : ec)
    }
}

extension OutputFormat: ExpressibleByArgument {}

extension InputFormat: ExpressibleByArgument {}

extension ErrorCorrection: ExpressibleByArgument {}

extension CSVRecordReader.Delimiter: ExpressibleByArgument {}

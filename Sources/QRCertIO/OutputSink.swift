import Foundation
import QRCert
import QRCertFormat
import QRCertImage

/// Where `issue` puts its results (its `IssueSink`), in input order: payload lines on stdout (`PayloadLines`),
/// or a `Manifest.Line` per record in OUT/manifest.jsonl (`ManifestFile`, the schema `--resume` reads back);
/// rejected rows in OUT/rejects.jsonl (`RejectsFile`); for `--layout sheet`, every code placed in the run's one
/// PDF (`SheetFile`), which exists only once the run ends, its manifest renamed after it (docs/PRINT.md).
///
/// Nothing of an earlier run is cut or removed before the resumed run has walked its manifest: the cut last
/// line goes with the first new line (or at `close`), the old rejects with the first new reject (or at `close`).
public final class OutputSink: IssueSink {
    private let format: OutputFormat
    private let level: ErrorCorrection
    private let payloads: PayloadLines?
    private let manifest: ManifestFile?
    private let rejects: RejectsFile?
    private let printing: PrintOutput?
    private let folder: String
    private var sheet: SheetFile?
    private var sheetNumber = 1
    private let sheetDate: String

    /// The sink of a run writing `format` into `folder` (nil: payload lines only, no rejects file); `earlier` is
    /// the stopped run a `--resume` finishes; `printing` for print formats; `date` is printed on a sheet.
    public init(format: OutputFormat, level: ErrorCorrection, folder: String?, earlier: EarlierRun? = nil,
                printing: PrintOutput? = nil, date: String = "") throws(QRCertError) {
        self.format = format
        self.level = level
        self.printing = printing
        self.folder = folder ?? "."
        sheetDate = date
        payloads = format == .payload ? PayloadLines() : nil
        guard let folder else {
            guard format == .payload else { throw QRCertError(.usage, "USAGE", "--out is required with --format \(format.rawValue)") }
            manifest = nil
            rejects = nil
            return
        }
        try Files.makeDirectory(folder)
        let path = folder + "/" + Manifest.fileName
        if printing?.layout == .sheet {
            if earlier == nil && access(path, F_OK) == 0 {
                throw QRCertError(.io, "IO_EXISTS", "\(path) already exists: the folder holds an earlier run",
                                  hint: "issue into a new folder, or finish a stopped run with --resume")
            }
            manifest = try ManifestFile.temporary(for: path, earlierLength: earlier?.completeLength ?? 0)
            while access(folder + "/" + PrintOutput.sheetName(sheetNumber), F_OK) == 0 { sheetNumber += 1 }
        } else if format != .payload {
            if let earlier, earlier.completeLength > 0 || access(earlier.manifestPath, F_OK) == 0 {
                manifest = try ManifestFile.reopen(earlier.manifestPath, keeping: earlier.completeLength)
            } else {
                manifest = try ManifestFile.create(path)
            }
        } else {
            manifest = nil
        }
        rejects = RejectsFile(folder: folder, replacing: earlier != nil && (format != .payload || printing?.layout == .sheet))
    }

    /// Records an issued credential: its payload line, or its manifest line (after its file is in place).
    public func issued(row: RecordRow, credential: Credential, issued result: Issuer.Issued, product rendered: Rendered) throws(QRCertError) {
        if let payloads { return try payloads.add(result.payload) }
        guard let manifest else { return }
        switch format {
        case .payload:
            return
        case .png:
            try manifest.append(Manifest.Line(id: credential.id, type: credential.profile.type, cti: Hex.encode(result.certificateID),
                                              file: rendered.file, pngBytes: rendered.bytes, qrVersion: rendered.version,
                                              ec: level.rawValue, line: row.line, payload: result.payload))
        case .pdf, .svg:
            var line = Manifest.Line(id: credential.id, type: credential.profile.type, cti: Hex.encode(result.certificateID),
                                     file: rendered.file, bytes: rendered.bytes, layout: printing?.layout.rawValue ?? "card",
                                     moduleMicrometres: rendered.moduleMM.map { Int(($0 * 1000).rounded()) },
                                     qrVersion: rendered.version, ec: level.rawValue, line: row.line, payload: result.payload)
            if let printing, printing.layout == .sheet, let item = rendered.item {
                if self.sheet == nil {
                    self.sheet = try SheetFile(folder: folder, name: PrintOutput.sheetName(sheetNumber), options: printing.options,
                                               title: credential.profile.name.vi, date: sheetDate)
                }
                guard let sheet else { return }
                let place: (page: Int, slot: Int)
                do throws(QRCertError) { place = try sheet.add(item) } catch {
                    throw error.located("\(row.source):\(row.line): record \(credential.id)")
                }
                line.file = sheet.name
                line.bytes = nil
                line.page = place.page
                line.slot = place.slot
            }
            try manifest.append(line)
        }
    }

    /// Records a rejected row in OUT/rejects.jsonl (created on the first one).
    public func rejected(_ rejection: RejectedRow) throws(QRCertError) {
        try rejects?.append(rejection)
    }

    /// Flushes and closes everything; a sheet run's PDF and manifest get their final names (PDF first).
    public func close() throws(QRCertError) {
        try payloads?.flush()
        try manifest?.cut()
        try rejects?.removeUnreplaced()
        try sheet?.commit()
        try manifest?.commit()
        try manifest?.close()
        try rejects?.close()
    }
}

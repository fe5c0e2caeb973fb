import Foundation
import QRCert
import QRCertIO
import QRCertFormat
import QRCertImage

/// Where `issue` puts its results (the CLI's `IssueSink`): the manifest and rejects files in the output folder, or
/// payload lines on stdout. Each manifest line is a `Manifest.Line`, the schema `--resume` reads back.
///
/// The manifest is created exclusively (a second run never mixes into the first) and appended line by line,
/// in input order, after each record's PNG is in place under its final name; each line is one write, so a
/// stop leaves at most a cut last line. Resuming (`earlier`) keeps the earlier run's complete lines and
/// appends after them; its rejects are reported again, so rejects.jsonl starts over. Nothing of the earlier
/// run is cut or removed before the resumed run has walked its manifest: the cut last line goes with the
/// first new line (or at `close`), the old rejects with the first new reject (or at `close`). Both files are
/// opened without following symbolic links.
///
/// A `--layout sheet` run puts every code in one PDF that exists only once the run ends (`SheetFile`): its
/// manifest is written beside it under a temporary name and renamed after it, so the two appear together
/// (a resumed run copies the earlier lines first). docs/PRINT.md.
final class OutputSink: IssueSink {
    private let format: OutputFormat
    private let level: ErrorCorrection
    private let folder: String?
    private var manifest: Int32 = -1
    private var rejects: Int32 = -1
    private var pending: [UInt8] = []
    /// A resumed manifest's length of complete lines, until it is cut to it.
    private var cutManifestTo: Int?
    /// A resumed run's old rejects.jsonl, until it is replaced.
    private var replaceRejects = false
    private let printing: PrintOutput?
    /// Sheet runs: the manifest's temporary name, the sheet (opened at the first record) and its number.
    private var manifestTemporary: String?
    private var sheet: SheetFile?
    private var sheetNumber = 1
    private let sheetDate: String

    init(format: OutputFormat, level: ErrorCorrection, folder: String?, earlier: EarlierRun? = nil, printing: PrintOutput? = nil,
         date: String = "") throws(QRCertError) {
        self.format = format
        self.level = level
        self.folder = folder
        self.printing = printing
        sheetDate = date
        if let folder, printing?.layout == .sheet {
            try Files.makeDirectory(folder)
            let final = folder + "/manifest.jsonl"
            if earlier == nil && access(final, F_OK) == 0 {
                throw QRCertError(.io, "IO_EXISTS", "\(final) already exists: the folder holds an earlier run",
                                  hint: "issue into a new folder, or finish a stopped run with --resume")
            }
            let temporary = final + ".tmp-\(getpid())"
            unlink(temporary)
            manifest = try Self.createLog(temporary)
            manifestTemporary = temporary
            if let earlier, earlier.completeLength > 0 {
                let kept = try Files.read(final, what: "manifest")
                try Files.writeAll(manifest, Array(kept.prefix(earlier.completeLength)), path: final)
            }
            while access(folder + "/" + PrintOutput.sheetName(sheetNumber), F_OK) == 0 { sheetNumber += 1 }
            replaceRejects = earlier != nil
        } else if let folder {
            try Files.makeDirectory(folder)
            if format != .payload {
                if let earlier, earlier.completeLength > 0 || access(earlier.manifestPath, F_OK) == 0 {
                    manifest = try Self.reopenLog(earlier.manifestPath)
                    cutManifestTo = earlier.completeLength
                } else {
                    manifest = try Self.createLog(folder + "/manifest.jsonl")
                }
                replaceRejects = earlier != nil
            }
        }
    }

    /// Records an issued credential: its payload line, or its manifest line (after its file is in place).
    func issued(row: RecordRow, credential: Credential, issued result: Issuer.Issued, product rendered: Rendered) throws(QRCertError) {
        switch format {
        case .payload:
            pending += Array(result.payload.utf8)
            pending.append(0x0A)
            if pending.count >= 1 << 16 { try flushStdout() }
        case .png:
            let line = Manifest.Line(id: credential.id, type: credential.profile.type, cti: Hex.encode(result.certificateID),
                                     file: rendered.file, pngBytes: rendered.bytes, qrVersion: rendered.version,
                                     ec: level.rawValue, line: row.line, payload: result.payload)
            try cutManifest()
            try Self.append(line.encoded + "\n", to: manifest, path: manifestPath)
        case .pdf, .svg:
            var line = Manifest.Line(id: credential.id, type: credential.profile.type, cti: Hex.encode(result.certificateID),
                                     file: rendered.file, bytes: rendered.bytes, layout: printing?.layout.rawValue ?? "card",
                                     moduleMicrometres: rendered.moduleMM.map { Int(($0 * 1000).rounded()) },
                                     qrVersion: rendered.version, ec: level.rawValue, line: row.line, payload: result.payload)
            if let printing, printing.layout == .sheet, let folder, let item = rendered.item {
                if sheet == nil {
                    sheet = try SheetFile(folder: folder, name: PrintOutput.sheetName(sheetNumber), options: printing.options,
                                          title: credential.profile.name.vi, date: sheetDate)
                }
                let place: (page: Int, slot: Int)
                do throws(QRCertError) { place = try sheet!.add(item) } catch {
                    throw error.located("\(row.source):\(row.line): record \(credential.id)")
                }
                line.file = sheet!.name
                line.bytes = nil
                line.page = place.page
                line.slot = place.slot
            }
            try cutManifest()
            try Self.append(line.encoded + "\n", to: manifest, path: manifestPath)
        }
    }

    /// OUT/manifest.jsonl, as errors name it.
    private var manifestPath: String { (folder ?? ".") + "/" + Manifest.fileName }

    /// Records a rejected row in OUT/rejects.jsonl (created on the first one).
    func rejected(_ rejection: RejectedRow) throws(QRCertError) {
        guard let folder else { return }
        if rejects < 0 {
            if replaceRejects {
                rejects = open(folder + "/rejects.jsonl", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
                guard rejects >= 0 else {
                    throw QRCertError(.io, "IO_WRITE", "cannot write \(folder)/rejects.jsonl: \(String(cString: strerror(errno)))")
                }
                replaceRejects = false
            } else {
                rejects = try Self.createLog(folder + "/rejects.jsonl")
            }
        }
        let line = JSONText.object([
            ("source", .string(rejection.source)),
            ("line", .number(Int64(rejection.line))),
            ("field", .optional(rejection.field)),
            ("id", .optional(rejection.id)),
            ("code", .string(rejection.error.code)),
            ("message", .string(rejection.error.message)),
        ]).rendered + "\n"
        try Self.append(line, to: rejects, path: folder + "/rejects.jsonl")
    }

    /// Flushes and closes everything; a sheet run's PDF and manifest get their final names (PDF first).
    func close() throws(QRCertError) {
        try flushStdout()
        try cutManifest()
        if replaceRejects, let folder {
            // A resumed run that rejected nothing leaves no rejects of the earlier one behind.
            if unlink(folder + "/rejects.jsonl") != 0 && errno != ENOENT {
                throw QRCertError(.io, "IO_WRITE", "cannot remove \(folder)/rejects.jsonl: \(String(cString: strerror(errno)))")
            }
            replaceRejects = false
        }
        try sheet?.commit()
        if let temporary = manifestTemporary, let folder {
            guard fsync(manifest) == 0 else {
                throw QRCertError(.io, "IO_WRITE", "cannot flush the manifest: \(String(cString: strerror(errno)))")
            }
            Foundation.close(manifest)
            manifest = -1
            guard rename(temporary, folder + "/manifest.jsonl") == 0 else {
                throw QRCertError(.io, "IO_WRITE", "cannot rename \(temporary) to \(folder)/manifest.jsonl: \(String(cString: strerror(errno)))")
            }
            manifestTemporary = nil
        }
        for fd in [manifest, rejects] where fd >= 0 {
            guard fsync(fd) == 0 || errno == EINVAL else {
                throw QRCertError(.io, "IO_WRITE", "cannot flush the manifest: \(String(cString: strerror(errno)))")
            }
            Foundation.close(fd)
        }
        manifest = -1
        rejects = -1
    }

    deinit {
        // A sheet run that failed: its manifest never gets a final name (the sheet removes its own file).
        if let manifestTemporary {
            if manifest >= 0 { Foundation.close(manifest) }
            unlink(manifestTemporary)
        }
    }

    /// Payload lines to stdout; a full disk behind a redirection is an IO_WRITE error, not a trap in FileHandle.
    private func flushStdout() throws(QRCertError) {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        try Files.writeAll(STDOUT_FILENO, pending, path: "standard output")
    }

    /// Appends one line to a log of ours (opened O_APPEND, written by no one else). A full disk or a file size
    /// limit can cut a write short: the cut part is taken off again, so a log holds whole lines only (docs/HOSTILE.md).
    private static func append(_ line: String, to fd: Int32, path: String) throws(QRCertError) {
        let before = lseek(fd, 0, SEEK_END)
        do throws(QRCertError) {
            try Files.writeAll(fd, Array(line.utf8), path: path)
        } catch {
            if before >= 0 { _ = ftruncate(fd, before) }
            throw error
        }
    }

    /// Cuts a resumed manifest's partial last line, once.
    private func cutManifest() throws(QRCertError) {
        guard let length = cutManifestTo else { return }
        guard ftruncate(manifest, off_t(length)) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot append to \((folder ?? ".") + "/manifest.jsonl"): \(String(cString: strerror(errno)))")
        }
        cutManifestTo = nil
    }

    /// Opens an earlier run's manifest for appending (cut later, by `cutManifest`).
    private static func reopenLog(_ path: String) throws(QRCertError) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; refused" : String(cString: strerror(errno))
            throw QRCertError(.io, "IO_WRITE", "cannot append to \(path): \(reason)")
        }
        return fd
    }

    private static func createLog(_ path: String) throws(QRCertError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw QRCertError(.io, "IO_EXISTS", "\(path) already exists: the folder holds an earlier run",
                                  hint: "issue into a new folder")
            }
            throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }
}

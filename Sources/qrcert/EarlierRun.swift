import Foundation
import QRCert
import QRCertFormat

/// What a stopped `issue` run left in its output folder, read back so that `--resume` issues each record
/// exactly once.
///
/// A run renames each PNG into place before it writes the record's manifest line, and writes manifest lines
/// in input order. So after a stop, however abrupt, the manifest is a prefix of the records to issue (its last
/// line possibly cut); PNGs of some records after that prefix may exist, and so may temporary files.
/// Resuming therefore:
/// - removes temporary files (`*.png.tmp-*`) and cuts a partial last line off the manifest;
/// - walks the manifest alongside the input: every record that passes its checks must be the next manifest
///   line, with the same id, file, EC level and `cti` (so the same key, type and issue date), else
///   `RESUME_MISMATCH`; it is skipped when its PNG has the size the line records, and a missing or different
///   PNG is drawn again from the line's payload (no new signature: the manifest stays the truth);
/// - trusts no payload it reads back: each is decoded and checked with this run's key against the claims
///   this run would sign for the input record (`Issuer.recheck`) before the record is skipped or its PNG
///   drawn again, so another `--issuer`, key or record, or an edited manifest, is `RESUME_MISMATCH`;
/// - tries again a record that the earlier run rejected while producing it (a payload too long for any
///   QR code, a file name already taken: `BatchIssue.isRecordFault`), as its rejects.jsonl lists it;
/// - issues the records after the manifest's end as usual, replacing any PNG they left.
/// The manifest and rejects files are opened without following symbolic links.
/// The first skipped PNG is also redrawn and compared byte for byte, so a resume with another
/// `--module-size` or `--margin` is refused rather than mixing two sizes in one folder. Cards and stamps (PDF,
/// SVG) are files per record like PNGs and resume the same way. A sheet run's records are matched the same way
/// but not drawn again: the sheet the line names must exist, and the rest goes into the next sheet (docs/PRINT.md).
final class EarlierRun {
    /// OUT/manifest.jsonl.
    let manifestPath: String
    /// Length of the manifest's complete lines: what the sink keeps before appending.
    let completeLength: Int
    /// Temporary files removed.
    let removedTemporaries: Int
    /// Manifest lines matched so far.
    private(set) var matched = 0
    /// PNGs drawn again from their manifest payload.
    private(set) var redrawn = 0

    private let folder: String
    private var lines: LineReader?
    private var pending: (Int, [UInt8])?
    private var comparedOne = false
    /// Ids the earlier run rejected while producing them: not in its manifest, tried again.
    private var producedRejects = Set<String>()
    /// A sheet run: lines name a shared sheet file, not one file per record.
    private let sheet: Bool

    /// Reads what is in `folder` (nothing there: a fresh run).
    init(folder: String, sheet: Bool = false) throws(QRCertError) {
        self.folder = folder
        self.sheet = sheet
        manifestPath = folder + "/manifest.jsonl"
        removedTemporaries = Self.removeTemporaries(in: folder)
        producedRejects = try Self.producedRejects(folder + "/rejects.jsonl")
        let fd = open(manifestPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            guard errno == ENOENT else {
                let reason = errno == ELOOP ? "it is a symbolic link; refused" : String(cString: strerror(errno))
                throw QRCertError(.io, "IO_READ", "cannot read \(manifestPath): \(reason)")
            }
            completeLength = 0
            return
        }
        let length = try Self.lengthOfCompleteLines(fd, path: manifestPath)
        completeLength = length
        lines = LineReader(fd: fd, limit: length, path: manifestPath)
    }

    deinit { lines?.close() }

    /// Whether the earlier run already issued `credential`, which the input gives next.
    ///
    /// `file`, `cti` and `ec` are what this run would write for it; `recheck` says why a payload is not what
    /// this run signs for the record (nil: it is); `draw` renders a payload as this run would.
    func issued(_ credential: Credential, file: String, cti: String, ec: String,
                recheck: (String) -> String?,
                draw: (String) throws(QRCertError) -> [UInt8]) throws(QRCertError) -> Bool {
        guard let reader = lines, let (number, bytes) = try nextLine(reader) else {
            lines?.close()
            lines = nil
            return false
        }
        pending = nil
        let line = try parse(bytes, number: number)
        let lineFile = line.file ?? ""  // `Manifest.decode` requires a file
        let id = credential.id
        func mismatch(_ what: String) -> QRCertError {
            QRCertError(.io, "RESUME_MISMATCH", "\(manifestPath):\(number): \(what)",
                        hint: "resume with the same input and options as the stopped run, or issue into a new folder")
        }
        guard line.id == id else {
            if producedRejects.contains(id) {
                // Rejected while it was produced, so never in the manifest: this line is the next record's.
                pending = (number, bytes)
                return false
            }
            throw mismatch("the earlier run issued \(line.id) here, but the input's next record is \(id)")
        }

        guard line.ec == ec else { throw mismatch("\(id) was issued at EC level \(line.ec), this run asks for \(ec)") }
        if sheet {
            guard line.cti == cti else {
                throw mismatch("\(id) has cti \(line.cti), this run would give \(cti): another key, type or issue date")
            }
            guard access(folder + "/" + lineFile, F_OK) == 0 else {
                throw mismatch("\(lineFile), which holds \(id), is missing")
            }
            matched += 1
            return true
        }
        guard let pngBytes = line.fileBytes else { throw mismatch("\(id) was printed on a sheet, this run writes a file per record") }
        guard line.file == file else { throw mismatch("\(id) is in \(lineFile), this run's layout puts it in \(file) (check --shard)") }
        guard line.cti == cti else {
            throw mismatch("\(id) has cti \(line.cti), this run would give \(cti): another key, type or issue date")
        }
        if let reason = recheck(line.payload) {
            throw mismatch("the payload of \(id) is not what this run signs for it: \(reason)")
        }
        let path = folder + "/" + lineFile
        var info = stat()
        let present = stat(path, &info) == 0 && Int(info.st_size) == pngBytes
        if !present || !comparedOne {
            let drawn = try draw(line.payload)
            guard drawn.count == pngBytes else {
                throw mismatch("\(lineFile) drawn again has \(drawn.count) bytes, the manifest says \(pngBytes) (check --module-size and --margin)")
            }
            if present {
                guard try Files.read(path) == drawn else {
                    throw mismatch("\(lineFile) differs from the image of its manifest payload (check --module-size and --margin)")
                }
            } else {
                try Files.place(drawn, folder: folder, file: lineFile, replacing: true)
                redrawn += 1
            }
            comparedOne = true
        }
        matched += 1
        return true
    }

    /// The line put back by the last call, else the reader's next.
    private func nextLine(_ reader: LineReader) throws(QRCertError) -> (Int, [UInt8])? {
        if let pending { return pending }
        return try reader.next()
    }

    /// Throws if the manifest holds records the input did not reach (another or a shortened input).
    func finish() throws(QRCertError) {
        guard let reader = lines else { return }
        if let (number, bytes) = try nextLine(reader) {
            let line = try parse(bytes, number: number)
            throw QRCertError(.io, "RESUME_MISMATCH", "\(manifestPath):\(number): the earlier run issued \(line.id), which this input does not hold",
                              hint: "resume with the same input and options as the stopped run, or issue into a new folder")
        }
    }

    private func parse(_ bytes: [UInt8], number: Int) throws(QRCertError) -> Manifest.Line {
        try Manifest.decode(bytes, number: number, path: manifestPath, sheet: sheet)
    }

    /// The ids of the earlier run's rejects.jsonl whose code is a production fault (`BatchIssue.isRecordFault`).
    /// Only used to let such a record be tried again; a line that does not parse is ignored, nothing else is read.
    private static func producedRejects(_ path: String) throws(QRCertError) -> Set<String> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            guard errno == ENOENT else {
                let reason = errno == ELOOP ? "it is a symbolic link; refused" : String(cString: strerror(errno))
                throw QRCertError(.io, "IO_READ", "cannot read \(path): \(reason)")
            }
            return []
        }
        let reader = LineReader(fd: fd, limit: try lengthOfCompleteLines(fd, path: path), path: path)
        defer { reader.close() }
        var ids = Set<String>()
        while let (_, bytes) = try reader.next() {
            if let id = Manifest.producedReject(bytes) { ids.insert(id) }
        }
        return ids
    }

    /// The manifest's length up to and including its last newline (a stop may cut the last line).
    private static func lengthOfCompleteLines(_ fd: Int32, path: String) throws(QRCertError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw QRCertError(.io, "IO_READ", "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var end = Int(info.st_size)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while end > 0 {
            let start = max(0, end - buffer.count)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
            guard count == end - start else {
                throw QRCertError(.io, "IO_READ", "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if let last = buffer[0..<count].lastIndex(of: 0x0A) { return start + last + 1 }
            end = start
        }
        return 0
    }

    /// Names of the temporary files a killed run can leave: per-record files, a sheet, a sheet run's manifest.
    static let temporaryMarks = [".png.tmp-", ".pdf.tmp-", ".svg.tmp-", "manifest.jsonl.tmp-"]

    /// Removes `*.png.tmp-*` (and pdf, svg, sheet manifest) files left by a run that was killed while writing, in
    /// the folder and its shard folders.
    private static func removeTemporaries(in folder: String) -> Int {
        var removed = 0
        func sweep(_ path: String, descend: Bool) {
            // readdir, not contentsOfDirectory: a flat folder of a million PNGs is not listed into memory.
            guard let directory = opendir(path) else { return }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                // Read the name in place up to its NUL: glibc allocates a dirent only as long as its name, so
                // copying the whole 256-byte d_name reads past it (AddressSanitizer: heap-buffer-overflow).
                let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                    String(cString: UnsafeRawPointer(tuple).assumingMemoryBound(to: CChar.self))
                }
                if Self.temporaryMarks.contains(where: { name.contains($0) }) {
                    if unlink(path + "/" + name) == 0 { removed += 1 }
                } else if descend, OutputLayout.isShardFolder(name) {
                    sweep(path + "/" + name, descend: false)
                }
            }
        }
        sweep(folder, descend: true)
        return removed
    }
}

/// Lines of a file descriptor up to `limit` bytes, read in 64 KiB chunks.
private final class LineReader {
    private var fd: Int32
    private let limit: Int
    private let path: String
    private var offset = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0

    init(fd: Int32, limit: Int, path: String) {
        self.fd = fd
        self.limit = limit
        self.path = path
    }

    /// The next line (without its newline) and its 1-based number; nil after the last.
    func next() throws(QRCertError) -> (Int, [UInt8])? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                number += 1
                return (number, line)
            }
            guard offset < limit, fd >= 0 else { return nil }
            buffer.removeFirst(start)
            start = 0
            let want = min(1 << 16, limit - offset)
            var chunk = [UInt8](repeating: 0, count: want)
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            guard count > 0 else {
                throw QRCertError(.io, "IO_READ", "cannot read \(path): \(count < 0 ? String(cString: strerror(errno)) : "it got shorter")")
            }
            offset += count
            buffer += chunk[0..<count]
        }
    }

    func close() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }
}

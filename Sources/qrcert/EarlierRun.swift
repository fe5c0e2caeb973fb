import Foundation
import QRCert
import QRCertIO
import QRCertFormat

/// What a stopped `issue` run left in its output folder, read back so that `--resume` issues each record
/// exactly once: the file side of it; the matching rules are `ManifestWalk`'s, in the library.
///
/// A run renames each PNG into place before it writes the record's manifest line, and writes manifest lines
/// in input order. So after a stop, however abrupt, the manifest is a prefix of the records to issue (its last
/// line possibly cut); PNGs of some records after that prefix may exist, and so may temporary files.
/// Resuming therefore:
/// - removes temporary files (`*.png.tmp-*`) and cuts a partial last line off the manifest;
/// - reads the ids of the earlier run's rejects.jsonl that it rejected while producing them (a payload too long
///   for any QR code, a file name already taken: `Manifest.producedReject`), to be tried again;
/// - walks the manifest's complete lines alongside the input (`walk`, see `ManifestWalk`), redrawing a missing
///   or different PNG under its name;
/// - issues the records after the manifest's end as usual, replacing any PNG they left.
/// The manifest and rejects files are opened without following symbolic links. Cards and stamps (PDF, SVG) are
/// files per record like PNGs and resume the same way; a sheet run's lines must name a sheet that exists, and
/// the rest goes into the next sheet (docs/PRINT.md).
final class EarlierRun {
    /// OUT/manifest.jsonl.
    let manifestPath: String
    /// Length of the manifest's complete lines: what the sink keeps before appending.
    let completeLength: Int
    /// Temporary files removed.
    let removedTemporaries: Int
    /// The manifest's lines matched against the input.
    let walk: ManifestWalk

    private let lines: LineReader?

    /// Reads what is in `folder` (nothing there: a fresh run) for a run that signs with `issuer` at level `ec`.
    init(folder: String, issuer: Issuer, ec: String, sheet: Bool = false) throws(QRCertError) {
        manifestPath = folder + "/" + Manifest.fileName
        removedTemporaries = Self.removeTemporaries(in: folder)
        let producedRejects = try Self.producedRejects(folder + "/rejects.jsonl")
        let fd = open(manifestPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            completeLength = try Self.lengthOfCompleteLines(fd, path: manifestPath)
            lines = LineReader(fd: fd, limit: completeLength, path: manifestPath)
        } else {
            guard errno == ENOENT else {
                let reason = errno == ELOOP ? "it is a symbolic link; refused" : String(cString: strerror(errno))
                throw QRCertError(.io, "IO_READ", "cannot read \(manifestPath): \(reason)")
            }
            completeLength = 0
            lines = nil
        }
        walk = ManifestWalk(folder: OutputFolder(path: folder, lines: lines), manifestPath: manifestPath, issuer: issuer,
                            ec: ec, sheet: sheet, producedRejects: producedRejects)
    }

    deinit { lines?.close() }

    /// The output folder as the walk reaches it; a missing manifest has no lines.
    private struct OutputFolder: ManifestWalk.Folder {
        let path: String
        let lines: LineReader?

        func nextLine() throws(QRCertError) -> (number: Int, bytes: [UInt8])? {
            guard let (number, bytes) = try lines?.next() else { return nil }
            return (number, bytes)
        }

        func exists(_ file: String) -> Bool { access(path + "/" + file, F_OK) == 0 }

        func size(_ file: String) -> Int? {
            var info = stat()
            return stat(path + "/" + file, &info) == 0 ? Int(info.st_size) : nil
        }

        func read(_ file: String) throws(QRCertError) -> [UInt8] { try Files.read(path + "/" + file) }

        func place(_ bytes: [UInt8], file: String) throws(QRCertError) {
            try Files.place(bytes, folder: path, file: file, replacing: true)
        }
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

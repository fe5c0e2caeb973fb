import Foundation
import QRCert
import QRCertFormat

/// OUT/manifest.jsonl as `issue` writes it: one `Manifest.Line` per issued record, in input order, each line
/// one write after the record's file is in place, so a stop leaves at most a cut last line.
///
/// A fresh run creates it exclusively. A resumed run appends after the earlier run's complete lines; the cut
/// last line goes only with the first new line (or at `close`), after the resume has walked the manifest. A
/// sheet run writes it under a temporary name, renamed after the sheet (`commit`), so the two appear together.
final class ManifestFile {
    /// The manifest's final path, as errors name it.
    let path: String
    private var fd: Int32
    /// A resumed manifest's length of complete lines, until it is cut to it.
    private var cutTo: Int?
    /// A sheet run's temporary name, until it is renamed.
    private var temporary: String?

    private init(path: String, fd: Int32, cutTo: Int? = nil, temporary: String? = nil) {
        self.path = path
        self.fd = fd
        self.cutTo = cutTo
        self.temporary = temporary
    }

    /// A new manifest at `path`; IO_EXISTS when there is one.
    static func create(_ path: String) throws(QRCertError) -> ManifestFile {
        ManifestFile(path: path, fd: try LogFile.create(path))
    }

    /// An earlier run's manifest, appended to after its first `completeLength` bytes (its complete lines).
    static func reopen(_ path: String, keeping completeLength: Int) throws(QRCertError) -> ManifestFile {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; refused" : String(cString: strerror(errno))
            throw QRCertError(.io, "IO_WRITE", "cannot append to \(path): \(reason)")
        }
        return ManifestFile(path: path, fd: fd, cutTo: completeLength)
    }

    /// A sheet run's manifest for `path`, written under a temporary name beside it; a resumed run's complete
    /// lines (`earlierLength` bytes of the manifest at `path`) are copied into it first.
    static func temporary(for path: String, earlierLength: Int) throws(QRCertError) -> ManifestFile {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let file = ManifestFile(path: path, fd: try LogFile.create(temporary), temporary: temporary)
        if earlierLength > 0 {
            let kept = try Files.read(path, what: "manifest")
            try Files.writeAll(file.fd, Array(kept.prefix(earlierLength)), path: path)
        }
        return file
    }

    /// Appends `line` and its newline.
    func append(_ line: Manifest.Line) throws(QRCertError) {
        try cut()
        try LogFile.append(line.encoded + "\n", to: fd, path: path)
    }

    /// Cuts a resumed manifest's partial last line, once.
    func cut() throws(QRCertError) {
        guard let length = cutTo else { return }
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot append to \(path): \(String(cString: strerror(errno)))")
        }
        cutTo = nil
    }

    /// A sheet run's manifest gets its final name (after the sheet's); nothing for the others.
    func commit() throws(QRCertError) {
        guard let temporary else { return }
        guard fsync(fd) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot flush the manifest: \(String(cString: strerror(errno)))")
        }
        Foundation.close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        self.temporary = nil
    }

    /// Flushes and closes the file.
    func close() throws(QRCertError) {
        guard fd >= 0 else { return }
        try LogFile.close(fd)
        fd = -1
    }

    deinit {
        // A sheet run that failed: its manifest never gets a final name (the sheet removes its own file).
        if let temporary {
            if fd >= 0 { Foundation.close(fd) }
            unlink(temporary)
        }
    }
}

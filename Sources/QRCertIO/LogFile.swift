import Foundation
import QRCertFormat

/// The append-only JSON Lines files of an output folder (manifest.jsonl, rejects.jsonl): opened without following
/// a symbolic link, written by no one else, and holding whole lines only.
enum LogFile {
    /// Creates `path` exclusively for appending: a second run never mixes into the first.
    static func create(_ path: String) throws(QRCertError) -> Int32 {
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

    /// Appends one line to a log of ours (opened O_APPEND). A full disk or a file size limit can cut a write
    /// short: the cut part is taken off again, so a log holds whole lines only (docs/HOSTILE.md).
    static func append(_ line: String, to fd: Int32, path: String) throws(QRCertError) {
        let before = lseek(fd, 0, SEEK_END)
        do throws(QRCertError) {
            try Files.writeAll(fd, Array(line.utf8), path: path)
        } catch {
            if before >= 0 { _ = ftruncate(fd, before) }
            throw error
        }
    }

    /// Flushes `fd` to disk and closes it (a descriptor that cannot be synced, a pipe, is only closed).
    static func close(_ fd: Int32) throws(QRCertError) {
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw QRCertError(.io, "IO_WRITE", "cannot flush the manifest: \(String(cString: strerror(errno)))")
        }
        Foundation.close(fd)
    }
}

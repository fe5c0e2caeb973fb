import Foundation
import QRCert
import QRCertFormat

/// OUT/rejects.jsonl: one JSON line per rejected row (`source`, `line`, `field`, `id`, `code`, `message`),
/// created at the first one. A resumed run reports the earlier run's rejects again, so it starts the file
/// over: the old one is replaced by the first new reject, or removed at the end when there is none.
final class RejectsFile {
    private let path: String
    private var fd: Int32 = -1
    /// A resumed run's old rejects.jsonl, until it is replaced or removed.
    private var replacing: Bool

    /// The rejects file of `folder`; `replacing` for a resumed run.
    init(folder: String, replacing: Bool) {
        path = folder + "/rejects.jsonl"
        self.replacing = replacing
    }

    /// Appends `rejection`'s line.
    func append(_ rejection: RejectedRow) throws(QRCertError) {
        if fd < 0 {
            if replacing {
                fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
                guard fd >= 0 else {
                    throw QRCertError(.io, "IO_WRITE", "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                replacing = false
            } else {
                fd = try LogFile.create(path)
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
        try LogFile.append(line, to: fd, path: path)
    }

    /// A resumed run that rejected nothing leaves no rejects of the earlier one behind.
    func removeUnreplaced() throws(QRCertError) {
        guard replacing else { return }
        if unlink(path) != 0 && errno != ENOENT {
            throw QRCertError(.io, "IO_WRITE", "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
        replacing = false
    }

    /// Flushes and closes the file.
    func close() throws(QRCertError) {
        guard fd >= 0 else { return }
        try LogFile.close(fd)
        fd = -1
    }
}

import Foundation
import QRCertFormat

/// `issue --format payload`: each payload and a newline to a file descriptor (stdout), gathered into writes of
/// 64 KiB; a full disk behind a redirection is an IO_WRITE error, not a trap in FileHandle.
final class PayloadLines {
    private let fd: Int32
    private let name: String
    private var pending: [UInt8] = []

    /// Lines to `fd`, named `name` in errors.
    init(fd: Int32 = STDOUT_FILENO, name: String = "standard output") {
        self.fd = fd
        self.name = name
    }

    /// Adds one payload's line.
    func add(_ payload: String) throws(QRCertError) {
        pending += Array(payload.utf8)
        pending.append(0x0A)
        if pending.count >= 1 << 16 { try flush() }
    }

    /// Writes what is gathered.
    func flush() throws(QRCertError) {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        try Files.writeAll(fd, pending, path: name)
    }
}

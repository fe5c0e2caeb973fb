import Foundation
import QRCertFormat

/// Lines of a file descriptor up to `limit` bytes, read in 64 KiB chunks.
final class LineReader {
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
    public func next() throws(QRCertError) -> (Int, [UInt8])? {
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

    public func close() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }
}

import Foundation
import QRCertFormat

/// Bytes read in chunks from a file or a pipe, one at a time, counting lines.
///
/// Readers built on it stream: memory stays flat whatever the input size.
final class ByteStream {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var index = 0
    private var finished = false
    private let chunkSize: Int
    /// 1-based line number of the next byte.
    private(set) var line = 1
    /// Bytes consumed so far.
    private(set) var offset = 0

    init(handle: FileHandle, chunkSize: Int = 1 << 16) {
        self.handle = handle
        self.chunkSize = chunkSize
    }

    /// The next byte without consuming it, or nil at the end.
    func peek() throws(QRCertError) -> UInt8? {
        if index < buffer.count { return buffer[index] }
        try refill()
        return index < buffer.count ? buffer[index] : nil
    }

    /// Consumes and returns the next byte, or nil at the end.
    func next() throws(QRCertError) -> UInt8? {
        if index >= buffer.count {
            try refill()
            if index >= buffer.count { return nil }
        }
        let byte = buffer[index]
        index += 1
        offset += 1
        if byte == 0x0A { line += 1 }
        return byte
    }

    private func refill() throws(QRCertError) {
        guard !finished else { return }
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw QRCertError(.io, "IO_READ", "cannot read input: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else {
            finished = true
            buffer = []
            index = 0
            return
        }
        buffer = [UInt8](data)
        index = 0
    }
}

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

    /// Up to `limit` bytes from the next one, stopping before the first `stop` byte, without consuming them.
    /// Reads ahead as needed (at most `limit` bytes are held beyond the current chunk).
    func peekPrefix(upTo limit: Int, stoppingAt stop: UInt8) throws(QRCertError) -> [UInt8] {
        var end = index
        while true {
            while end < buffer.count && end - index < limit && buffer[end] != stop { end += 1 }
            if end < buffer.count || end - index >= limit || finished { break }
            // The chunk ended before the stop byte: keep what is unread and append the next chunk.
            buffer.removeFirst(index)
            end -= index
            index = 0
            guard let more = try read() else { finished = true; break }
            buffer.append(contentsOf: more)
        }
        return Array(buffer[index..<end])
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
        guard let data = try read() else {
            finished = true
            buffer = []
            index = 0
            return
        }
        buffer = data
        index = 0
    }

    /// The next chunk of the file, nil at its end.
    private func read() throws(QRCertError) -> [UInt8]? {
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw QRCertError(.io, "IO_READ", "cannot read input: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else { return nil }
        return [UInt8](data)
    }
}

import Foundation

/// Lines of a file descriptor, each cut at `maxBytes`: a hostile 200 MB "scan" costs 64 KiB of memory, and
/// what is kept is still far longer than any payload, so it fails at stage `prefix` with PAYLOAD_TOO_LONG.
struct BoundedLines {
    private let fd: Int32
    private let maxBytes: Int
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var finished = false

    init(fd: Int32, maxBytes: Int = 1 << 16) {
        self.fd = fd
        self.maxBytes = maxBytes
    }

    /// The next line without its LF (a CR stays; scan text trimming removes it), nil at the end of input.
    mutating func next() -> String? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if start == end {
                guard !finished, refill() else {
                    return sawAny ? String(decoding: line, as: UTF8.self) : nil
                }
            }
            sawAny = true
            let available = buffer[start..<end]
            if let newline = available.firstIndex(of: 0x0A) {
                append(available[start..<newline], to: &line)
                start = newline + 1
                return String(decoding: line, as: UTF8.self)
            }
            append(available, to: &line)
            start = end
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8]) {
        let room = maxBytes - line.count
        if room > 0 { line.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func refill() -> Bool {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                finished = true
                return false
            }
            start = 0
            end = n
            return true
        }
    }
}

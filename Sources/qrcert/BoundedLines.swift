import Foundation

/// Lines of a file descriptor, each cut at `maxBytes`: a hostile 200 MB "scan" costs 64 KiB of memory, and
/// what is kept is still far longer than any payload, so it fails at stage `prefix` with PAYLOAD_TOO_LONG.
///
/// Lines are read 64 KiB at a time into one buffer and handed out in place (no array or string per line); a
/// line cut across two reads is moved to the buffer's start first. `next(waiting: false)` says when no whole
/// line is left without reading, so a caller can write its answers before it may block (a scanner at a terminal).
final class BoundedLines {
    /// What `next(waiting:)` found.
    enum Next {
        /// A line's bytes without its LF (a CR stays; scan text trimming removes it), valid until the next call.
        case line(UnsafeRawBufferPointer)
        /// No whole line is buffered, and the caller did not want to wait for one.
        case wouldRead
        /// The end of the input.
        case end
    }

    private let fd: Int32
    private let maxBytes: Int
    private let chunk = 1 << 16
    private let capacity: Int
    private let storage: UnsafeMutablePointer<UInt8>
    /// The current line starts at `start`; bytes up to `end` are read; `start + scanned` is where the LF search resumes.
    private var start = 0, end = 0, scanned = 0
    private var finished = false

    init(fd: Int32, maxBytes: Int = 1 << 16) {
        self.fd = fd
        self.maxBytes = maxBytes
        // A kept part of a line (at most maxBytes) plus a whole read always fit.
        capacity = maxBytes + chunk
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// The next line as text, nil at the end of input.
    func next() -> String? {
        guard case .line(let bytes) = next(waiting: true) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The next line, reading for it when `waiting` (else `.wouldRead` when none is whole in the buffer).
    func next(waiting: Bool) -> Next {
        while true {
            let searched = start + scanned
            if searched < end, let found = memchr(storage + searched, 0x0A, end - searched) {
                let newline = UnsafeMutablePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - storage
                let line = UnsafeRawBufferPointer(start: storage + start, count: min(newline - start, maxBytes))
                start = newline + 1
                scanned = 0
                return .line(line)
            }
            scanned = end - start
            if scanned >= maxBytes {
                // The line has reached maxBytes: its first maxBytes bytes are kept, the rest dropped as it arrives.
                end = start + maxBytes
                scanned = maxBytes
            }
            if finished {
                guard end > start else { return .end }
                let line = UnsafeRawBufferPointer(start: storage + start, count: end - start)
                start = end
                scanned = 0
                return .line(line)
            }
            guard waiting else { return .wouldRead }
            refill()
        }
    }

    /// Reads more after the current line's bytes, moving them to the buffer's start first.
    private func refill() {
        if start > 0 {
            if end > start { memmove(storage, storage + start, end - start) }
            end -= start
            start = 0
        }
        while true {
            // A cut line's further bytes are read after its kept part, searched for the LF, and dropped.
            let n = read(fd, storage + end, capacity - end)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                finished = true
                return
            }
            end += n
            return
        }
    }
}

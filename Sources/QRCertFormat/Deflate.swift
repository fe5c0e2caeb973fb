internal import CZlib

/// zlib streams (RFC 1950 around RFC 1951 deflate), through the system zlib.
///
/// Each call owns its `z_stream` in a stack slot for the length of the call and ends it before
/// returning, so calls are independent and safe from any thread.
public enum Deflate {
    /// zlib format (RFC 1950), level 9 by default.
    ///
    /// One `deflate(Z_FINISH)` call into a buffer of `deflateBound` bytes, which zlib guarantees is
    /// enough. `level` must be -1 (zlib's default) or 0...9; input must be under 4 GiB.
    public static func compress(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
        precondition((-1...9).contains(level), "zlib level must be -1...9, got \(level)")
        precondition(bytes.count <= Int(UInt32.max), "zlib one-shot input must be under 4 GiB")
        return bytes.withUnsafeBufferPointer { input in
            withUnsafeTemporaryAllocation(of: z_stream.self, capacity: 1) { slot in
                // zlib keeps the stream's address in its state, so it lives in one fixed slot, never copied.
                guard let stream = slot.baseAddress else { preconditionFailure("no stack slot for z_stream") }
                stream.initialize(to: z_stream())
                defer { stream.deinitialize(count: 1) }
                // Fails only for a bad level (checked above) or when memory is exhausted.
                let initStatus = qrcert_deflate_init(stream, level)
                guard initStatus == Z_OK else { preconditionFailure("deflateInit failed with \(initStatus)") }
                defer { deflateEnd(stream) }
                let bound = Int(deflateBound(stream, uLong(input.count)))
                return [UInt8](unsafeUninitializedCapacity: bound) { output, count in
                    // zlib's next_in is not const unless built with ZLIB_CONST; deflate only reads it.
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                    stream.pointee.avail_in = uInt(input.count)
                    stream.pointee.next_out = output.baseAddress
                    stream.pointee.avail_out = uInt(bound)
                    let status = deflate(stream, Z_FINISH)
                    // zlib.h: with deflateBound bytes of output and Z_FINISH, deflate returns Z_STREAM_END.
                    guard status == Z_STREAM_END else { preconditionFailure("deflate returned \(status)") }
                    count = Int(stream.pointee.total_out)
                }
            }
        }
    }

    /// Inflates a zlib stream; fails with ZLIB_TOO_LARGE as soon as output would exceed `limit` bytes
    /// (a zlib bomb is refused after producing at most `limit` bytes), ZLIB_BAD_DATA on corrupt/truncated
    /// input, ZLIB_TRAILING_BYTES if input continues after the stream end. Stage .zlib.
    ///
    /// The output buffer grows by doubling and never exceeds `limit + 1` bytes: inflating one byte past
    /// the limit is how an oversized stream is told apart from one that ends exactly at it.
    public static func inflate(_ bytes: [UInt8], limit: Int) throws(QRCertError) -> [UInt8] {
        try withUnsafeTemporaryAllocation(of: z_stream.self, capacity: 1) { (slot) throws(QRCertError) -> [UInt8] in
            guard let stream = slot.baseAddress else {
                throw QRCertError(.zlib, "ZLIB_INTERNAL", "no stack slot for a zlib stream")
            }
            stream.initialize(to: z_stream())
            defer { stream.deinitialize(count: 1) }
            let initStatus = qrcert_inflate_init(stream)
            guard initStatus == Z_OK else {
                throw QRCertError(.zlib, "ZLIB_INTERNAL", "inflateInit failed with zlib status \(initStatus)")
            }
            defer { inflateEnd(stream) }
            var out: [UInt8] = []
            try inflate(bytes, limit: limit, with: stream, into: &out)
            return out
        }
    }

    /// `inflate(_:limit:)` on a stream that is initialised and reset, into `out` (its storage reused).
    fileprivate static func inflate(
        _ bytes: [UInt8], limit: Int, with stream: UnsafeMutablePointer<z_stream>, into out: inout [UInt8]
    ) throws(QRCertError) {
        precondition(limit >= 0, "inflate limit must not be negative")
        let ceiling = limit < Int.max ? limit + 1 : limit
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: min(ceiling, max(256, bytes.count.multipliedReportingOverflow(by: 4).partialValue))))
        // inflateReset keeps next_in/avail_in: input an earlier call left unread (trailing bytes, a corrupt stream)
        // would be read again, from a buffer that no longer exists.
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        stream.pointee.next_out = nil
        stream.pointee.avail_out = 0
        let result: Result<Int, QRCertError> = bytes.withUnsafeBufferPointer { input in
            run(stream, input: input, out: &out, limit: limit, ceiling: ceiling)
        }
        let produced = try result.get()
        out.removeSubrange(produced...)
    }

    /// The inflate loop: feeds input in pieces zlib's 32-bit counters can hold and grows `out` on demand.
    private static func run(
        _ stream: UnsafeMutablePointer<z_stream>, input: UnsafeBufferPointer<UInt8>,
        out: inout [UInt8], limit: Int, ceiling: Int
    ) -> Result<Int, QRCertError> {
        var fed = 0
        var produced = 0
        while true {
            if stream.pointee.avail_in == 0 && fed < input.count, let base = input.baseAddress {
                let piece = min(input.count - fed, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(mutating: base + fed)
                stream.pointee.avail_in = uInt(piece)
                fed += piece
            }
            if produced == out.count {
                out.append(contentsOf: repeatElement(0, count: min(ceiling, out.count * 2) - out.count))
            }
            let status: Int32 = out.withUnsafeMutableBufferPointer { buffer in
                let room = min(buffer.count - produced, Int(UInt32.max))
                stream.pointee.next_out = buffer.baseAddress.map { $0 + produced }
                stream.pointee.avail_out = uInt(room)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                produced += room - Int(stream.pointee.avail_out)
                return status
            }
            if produced > limit {
                return .failure(QRCertError(
                    .zlib, "ZLIB_TOO_LARGE", "zlib data inflates to more than \(limit) bytes",
                    hint: "the payload is larger than any certificate this tool accepts; it may be a zlib bomb"
                ))
            }
            let inputLeft = stream.pointee.avail_in != 0 || fed < input.count
            switch status {
            case Z_STREAM_END:
                guard !inputLeft else {
                    let extra = Int(stream.pointee.avail_in) + input.count - fed
                    return .failure(QRCertError(
                        .zlib, "ZLIB_TRAILING_BYTES", "\(extra) bytes follow the end of the zlib stream"
                    ))
                }
                return .success(produced)
            case Z_OK, Z_BUF_ERROR:
                // zlib stops when it runs out of input or of output room; only the latter lets it continue.
                if produced < out.count && !inputLeft {
                    return .failure(QRCertError(
                        .zlib, "ZLIB_BAD_DATA", "zlib data is truncated: the input ends before the stream does",
                        hint: "the payload may have been cut short"
                    ))
                }
            case Z_NEED_DICT:
                return .failure(QRCertError(.zlib, "ZLIB_BAD_DATA", "zlib stream needs a preset dictionary, which is not supported"))
            case Z_DATA_ERROR:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "invalid deflate data"
                return .failure(QRCertError(.zlib, "ZLIB_BAD_DATA", "zlib data is corrupt: \(reason)"))
            default:
                return .failure(QRCertError(.zlib, "ZLIB_INTERNAL", "inflate failed with zlib status \(status)"))
            }
        }
    }
}

/// A zlib inflate stream kept from one input to the next and reset between them, so that inflating many small
/// inputs (a verifier's payloads) does not allocate and free zlib's state and 32 KiB window each time. It belongs to
/// one thread at a time; the results and errors are those of `Deflate.inflate(_:limit:)`. It also keeps the buffers
/// `Payload.view` decodes into, for the same reason.
public final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let initStatus: Int32

    /// A stream ready to inflate.
    public init() {
        stream = .allocate(capacity: 1)
        // zlib keeps the stream's address in its state: it stays at this one allocation, never copied.
        stream.initialize(to: z_stream())
        initStatus = qrcert_inflate_init(stream)
    }

    deinit {
        if initStatus == Z_OK { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The Base45 stage's bytes and the inflated ones of the last `Payload.view`, kept for their storage.
    var decoded: [UInt8] = []
    var inflated: [UInt8] = []

    /// As `Deflate.inflate(_:limit:)`.
    public func inflate(_ bytes: [UInt8], limit: Int) throws(QRCertError) -> [UInt8] {
        var out: [UInt8] = []
        try inflate(bytes, limit: limit, into: &out)
        return out
    }

    /// As `inflate(_:limit:)`, into `out`, whose storage is reused.
    public func inflate(_ bytes: [UInt8], limit: Int, into out: inout [UInt8]) throws(QRCertError) {
        guard initStatus == Z_OK else {
            throw QRCertError(.zlib, "ZLIB_INTERNAL", "inflateInit failed with zlib status \(initStatus)")
        }
        // A stream left mid-way by an earlier failure starts afresh: the reset forgets everything but the window's memory.
        let status = inflateReset(stream)
        guard status == Z_OK else { throw QRCertError(.zlib, "ZLIB_INTERNAL", "inflateReset failed with zlib status \(status)") }
        try Deflate.inflate(bytes, limit: limit, with: stream, into: &out)
    }
}

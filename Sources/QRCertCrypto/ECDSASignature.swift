/// Conversion between the two ECDSA signature forms: COSE's fixed-width r||s (RFC 9053 section 2.1)
/// and the DER `SEQUENCE { INTEGER r, INTEGER s }` that libcrypto reads and writes.
///
/// Done in Swift without allocation beyond the result: it runs once per signature, and both widths
/// qrcert uses (32 and 48 bytes) keep every DER length in the one-byte short form.
enum ECDSASignature {
    /// The largest DER signature for scalars of `width` bytes: two INTEGERs with a leading zero each.
    static func maxDERCount(width: Int) -> Int { 2 + 2 * (2 + width + 1) }

    /// Writes the DER form of `raw` (exactly `2 * width` bytes) into `out`; returns the byte count.
    /// `out` must hold `maxDERCount(width:)` bytes.
    static func der(fromRaw raw: UnsafeRawBufferPointer, width: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        precondition(raw.count == 2 * width && width < 60 && out.count >= maxDERCount(width: width))
        var index = 2
        for half in 0..<2 {
            let scalar = UnsafeRawBufferPointer(rebasing: raw[(half * width)..<((half + 1) * width)])
            // Minimal INTEGER: drop leading zero bytes (keep one), then add 0x00 if the top bit is set.
            var start = 0
            while start < width - 1 && scalar[start] == 0 { start += 1 }
            let pad = scalar[start] & 0x80 != 0 ? 1 : 0
            out[index] = 0x02
            out[index + 1] = UInt8(width - start + pad)
            index += 2
            if pad == 1 { out[index] = 0; index += 1 }
            for offset in start..<width { out[index] = scalar[offset]; index += 1 }
        }
        out[0] = 0x30
        out[1] = UInt8(index - 2)
        return index
    }

    /// The fixed-width r||s of a DER signature produced by libcrypto; nil if it is not one.
    static func raw(fromDER der: UnsafeRawBufferPointer, width: Int) -> [UInt8]? {
        var reader = DERReader(bytes: der)
        guard reader.byte() == 0x30, let sequenceLength = reader.length(), sequenceLength == reader.remaining else {
            return nil
        }
        var out = [UInt8](repeating: 0, count: 2 * width)
        for half in 0..<2 {
            guard reader.byte() == 0x02, let length = reader.length(), length > 0, length <= reader.remaining else {
                return nil
            }
            var start = reader.position
            var count = length
            while count > 0 && der[start] == 0 { start += 1; count -= 1 }
            guard count <= width else { return nil }
            for offset in 0..<count { out[half * width + width - count + offset] = der[start + offset] }
            reader.position += length
        }
        return reader.remaining == 0 ? out : nil
    }

    /// Reads DER tag and length bytes.
    private struct DERReader {
        let bytes: UnsafeRawBufferPointer
        var position = 0
        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
        var remaining: Int { bytes.count - position }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func length() -> Int? {
            guard let first = byte() else { return nil }
            if first < 0x80 { return Int(first) }
            guard first == 0x81, let second = byte(), second >= 0x80 else { return nil }
            return Int(second)
        }
    }
}

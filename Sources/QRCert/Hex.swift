/// Lower-case hexadecimal, as key ids and certificate ids are shown.
public enum Hex {
    /// `bytes` as lower-case hex.
    public static func encode(_ bytes: [UInt8]) -> String {
        // Written into the string's own storage: a verifier shows a key id and a certificate id per payload.
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, b) in bytes.enumerated() {
                out[2 * index] = digits[Int(b >> 4)]
                out[2 * index + 1] = digits[Int(b & 15)]
            }
            return bytes.count * 2
        }
    }

    /// `encode(bytes)`'s UTF-8 appended to `out`, without the string.
    public static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
    }

    /// `encode(bytes)`'s UTF-8 appended to `out`.
    public static func encode(_ bytes: [UInt8], into out: WriteBuffer) {
        let room = out.reserve(2 * bytes.count)
        for (index, b) in bytes.enumerated() {
            room[2 * index] = digits[Int(b >> 4)]
            room[2 * index + 1] = digits[Int(b & 15)]
        }
        out.commit(2 * bytes.count)
    }

    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Parses hex (either case, even length); nil otherwise.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x57
            case 0x41...0x46: v = c - 0x37
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }
}

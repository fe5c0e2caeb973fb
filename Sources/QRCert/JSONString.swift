/// JSON string quoting as every JSON line qrcert writes it (verify --json, the manifest, rejects, lists):
/// `"` and `\` escaped, LF, CR and tab by name, and every other character `DisplayText` calls unsafe
/// (controls, bidi and format characters, U+2028/9: the set a screen never shows raw) as `\uXXXX`
/// (UTF-16, lower-case hex); everything else copied as UTF-8.
public enum JSONString {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `s`, quoted, to `out`.
    public static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            var run = 0  // start of the bytes not yet copied
            while i < n {
                let b0 = bytes[i]
                if b0 >= 0x20 && b0 < 0x7F && b0 != UInt8(ascii: "\"") && b0 != UInt8(ascii: "\\") {
                    i += 1
                    continue
                }
                if b0 < 0x80 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    switch b0 {
                    case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b0)
                    case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b0)
                    case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                    case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                    case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                    default: unit(UInt32(b0), into: &out)  // the other C0 controls and DEL
                    }
                    i += 1
                    run = i
                    continue
                }
                // A Swift string is valid UTF-8: the scalar from its lead byte and continuation bytes.
                let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
                var value = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
                if DisplayText.isUnsafe(value) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    if value > 0xFFFF {
                        unit(0xD800 + ((value - 0x10000) >> 10), into: &out)
                        unit(0xDC00 + ((value - 0x10000) & 0x3FF), into: &out)
                    } else {
                        unit(value, into: &out)
                    }
                    run = i + length
                }
                i += length
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<n]))
        }
        out.append(UInt8(ascii: "\""))
    }


    /// `s` quoted, as text.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        quote(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `\uXXXX`, lower-case hex.
    private static func unit(_ unit: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt32(shift)) & 0xF)]) }
    }
}

import QRCert

/// A JSON value written with its keys in the order given, for manifests and `--json` lines.
enum JSONText {
    case string(String)
    case number(Int64)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    /// `value` as a string, or null.
    static func optional(_ value: String?) -> JSONText { value.map { .string($0) } ?? .null }
    /// `value` as a number, or null.
    static func optional(_ value: Int64?) -> JSONText { value.map { .number($0) } ?? .null }

    /// Compact, one line, UTF-8 kept as is.
    var rendered: String {
        var out: [UInt8] = []
        render(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact form's UTF-8 to `out`: a caller that answers many payloads reuses one buffer.
    func render(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.quote(s, into: &out)
        case .number(let n): Self.number(n, into: &out)
        case .bool(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .null: out.append(contentsOf: Self.nullBytes)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.render(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.quote(pair.0, into: &out)
                out.append(UInt8(ascii: ":"))
                pair.1.render(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)
    private static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8), nullBytes = Array("null".utf8)

    /// `n` in decimal, without a `String` on the way.
    private static func number(_ n: Int64, into out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    /// `s` as a JSON string: `"` and `\` escaped, LF, CR and tab by name, and every other character
    /// `DisplayText` calls unsafe (controls, bidi and format characters, U+2028/9: the same set a screen never
    /// shows raw) as `\uXXXX` (UTF-16, lower-case hex); everything else is copied as UTF-8.
    private static func quote(_ s: String, into out: inout [UInt8]) {
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

    /// `\uXXXX`, lower-case hex.
    private static func unit(_ unit: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt32(shift)) & 0xF)]) }
    }
}

/// The members of one JSON object written straight into a buffer as they come, in the order given: for the
/// line written per answer, where building a `JSONText` tree first cost more than writing it.
struct JSONMembers {
    private var count = 0

    /// `"key":` (after a comma unless it is the first member); the caller writes the value next.
    mutating func key(_ key: String, into out: inout [UInt8]) {
        out.append(count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        count += 1
        JSONText.string(key).render(into: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// `"key":value`.
    mutating func add(_ key: String, _ value: JSONText, into out: inout [UInt8]) {
        self.key(key, into: &out)
        value.render(into: &out)
    }

    /// The closing brace (`{}` for an object without members).
    func close(into out: inout [UInt8]) {
        if count == 0 { out.append(UInt8(ascii: "{")) }
        out.append(UInt8(ascii: "}"))
    }
}

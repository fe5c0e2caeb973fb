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
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        switch self {
        case .string(let s): Self.quote(s, into: &out)
        case .number(let n): out += String(n)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                Self.quote(pair.0, into: &out)
                out += ":"
                pair.1.render(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where DisplayText.isUnsafe(c):
                // Controls, bidi and format characters, U+2028/9: the same set a screen never shows raw.
                let units = c.value > 0xFFFF ? [0xD800 + ((c.value - 0x10000) >> 10), 0xDC00 + ((c.value - 0x10000) & 0x3FF)] : [c.value]
                for unit in units {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

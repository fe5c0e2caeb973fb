/// CBOR diagnostic notation (RFC 8949 §8), so messages show `-257` or `h'01ff'` instead of Swift's enum dump.
extension CBOR: CustomStringConvertible {
    /// The item in diagnostic notation, cut to about 80 characters for use in one-line messages.
    public var description: String {
        var out = ""
        write(into: &out, budget: 80)
        return out
    }

    private func write(into out: inout String, budget: Int) {
        guard out.count < budget else {
            if !out.hasSuffix("…") { out += "…" }
            return
        }
        switch self {
        case .unsigned(let n): out += String(n)
        case .negative(let n): out += n == .max ? "-18446744073709551616" : "-\(n + 1)"
        case .bytes(let bytes):
            let digits = Array("0123456789abcdef")
            out += "h'"
            for byte in bytes.prefix(32) { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
            out += bytes.count > 32 ? "…'" : "'"
        case .text(let text):
            out += "\""
            for scalar in text.unicodeScalars.prefix(60) {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += text.unicodeScalars.count > 60 ? "…\"" : "\""
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(into: &out, budget: budget)
            }
            out += "]"
        case .map(let pairs):
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += ", " }
                pair.key.write(into: &out, budget: budget)
                out += ": "
                pair.value.write(into: &out, budget: budget)
            }
            out += "}"
        case .tagged(let tag, let inner):
            out += "\(tag)("
            inner.write(into: &out, budget: budget)
            out += ")"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .undefined: out += "undefined"
        case .simple(let v): out += "simple(\(v))"
        case .float(let d): out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : "\(d)"
        }
    }
}

import QRCert
import QRCertFormat

/// CBOR shown as JSON for generic (foreign) claims: byte strings as hex, tags dropped, non-text keys as text.
public enum CBORJSON {
    /// `item` as the JSON value `verify --json` and `inspect --json` show for it.
    public static func convert(_ item: CBOR) -> JSONText {
        switch item {
        case .unsigned, .negative: return item.int64.map { .number($0) } ?? .string("\(item)")
        case .bytes(let b): return .string(Hex.encode(b))
        case .text(let t): return .string(t)
        case .array(let items): return .array(items.map(convert))
        case .map(let pairs): return .object(pairs.map { (keyText($0.key), convert($0.value)) })
        case .tagged(_, let inner): return convert(inner)
        case .bool(let b): return .bool(b)
        case .null, .undefined: return .null
        case .simple(let v): return .string("simple(\(v))")
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? .number(Int64(d)) : .string("\(d)")
        }
    }

    /// A map key as a JSON member name: text as it is, an integer in decimal.
    public static func keyText(_ key: CBOR) -> String {
        switch key {
        case .text(let t): return t
        default: return key.int64.map(String.init) ?? "\(key)"
        }
    }
}

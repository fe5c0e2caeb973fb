/// Encodes CBOR (RFC 8949) with preferred serialisation: shortest heads, definite lengths, shortest floats.
public enum CBOREncoder {
    /// Preferred (shortest) serialisation, definite lengths.
    ///
    /// `deterministic == true`: RFC 8949 §4.2.1 core deterministic encoding (map keys sorted by bytewise
    /// order of their encodings; floats in the shortest form that preserves the value).
    /// `deterministic == false`: maps keep their order (for round-trip tests).
    /// Floats are always written in their shortest exact form, NaN payloads included (a plain NaN is `f97e00`).
    /// Duplicate keys in a built map are written as given.
    public static func encode(_ value: CBOR, deterministic: Bool = true) -> [UInt8] {
        var out = [UInt8]()
        append(value, to: &out, deterministic: deterministic)
        return out
    }

    private static func append(_ value: CBOR, to out: inout [UInt8], deterministic: Bool) {
        switch value {
        case .unsigned(let n):
            appendHead(0, n, to: &out)
        case .negative(let n):
            appendHead(1, n, to: &out)
        case .bytes(let b):
            appendHead(2, UInt64(b.count), to: &out)
            out += b
        case .text(let s):
            let utf8 = s.utf8
            appendHead(3, UInt64(utf8.count), to: &out)
            out += utf8
        case .array(let elements):
            appendHead(4, UInt64(elements.count), to: &out)
            for element in elements {
                append(element, to: &out, deterministic: deterministic)
            }
        case .map(let pairs):
            appendHead(5, UInt64(pairs.count), to: &out)
            if deterministic {
                // RFC 8949 §4.2.1: sort by the bytewise lexicographic order of the encoded keys.
                let encoded = pairs.map { (key: encode($0.key, deterministic: true), value: $0.value) }
                for pair in encoded.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                    out += pair.key
                    append(pair.value, to: &out, deterministic: true)
                }
            } else {
                for pair in pairs {
                    append(pair.key, to: &out, deterministic: false)
                    append(pair.value, to: &out, deterministic: false)
                }
            }
        case .tagged(let tag, let content):
            appendHead(6, tag, to: &out)
            append(content, to: &out, deterministic: deterministic)
        case .bool(let b):
            out.append(b ? 0xF5 : 0xF4)
        case .null:
            out.append(0xF6)
        case .undefined:
            out.append(0xF7)
        case .simple(let n):
            if n < 24 {
                out.append(0xE0 | n)
            } else {
                out.append(0xF8)
                out.append(n)
            }
        case .float(let d):
            appendFloat(d, to: &out)
        }
    }

    /// The shortest head for a major type and argument (RFC 8949 §4.2.1).
    private static func appendHead(_ major: UInt8, _ argument: UInt64, to out: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            out.append(type | UInt8(argument))
        case 24...0xFF:
            out.append(type | 24)
            out.append(UInt8(argument))
        case 0x100...0xFFFF:
            out.append(type | 25)
            appendBigEndian(argument, bytes: 2, to: &out)
        case 0x1_0000...0xFFFF_FFFF:
            out.append(type | 26)
            appendBigEndian(argument, bytes: 4, to: &out)
        default:
            out.append(type | 27)
            appendBigEndian(argument, bytes: 8, to: &out)
        }
    }

    private static func appendBigEndian(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
        for i in stride(from: bytes - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: value >> (8 * i)))
        }
    }

    /// The shortest of half, single and double that gives back exactly `value` (RFC 8949 §4.2.1, §4.2.2).
    private static func appendFloat(_ value: Double, to out: inout [UInt8]) {
        if let half = exactHalf(value) {
            out.append(0xF9)
            appendBigEndian(UInt64(half), bytes: 2, to: &out)
        } else if let single = exactSingle(value) {
            out.append(0xFA)
            appendBigEndian(UInt64(single), bytes: 4, to: &out)
        } else {
            out.append(0xFB)
            appendBigEndian(value.bitPattern, bytes: 8, to: &out)
        }
    }

    /// The binary32 bits of `value` when they represent it exactly (NaN: when no payload bit is lost).
    static func exactSingle(_ value: Double) -> UInt32? {
        let bits = value.bitPattern
        let sign = UInt32(bits >> 63) << 31
        if value.isNaN {
            // Done on the bits: a hardware conversion would quiet a signalling NaN.
            let payload = bits & 0x000F_FFFF_FFFF_FFFF
            guard payload & ((1 << 29) - 1) == 0 else { return nil }
            return sign | 0x7F80_0000 | UInt32(payload >> 29)
        }
        let single = Float(value)
        guard Double(single) == value else { return nil }
        return single.bitPattern
    }

    /// The binary16 bits of `value` when they represent it exactly (NaN: when no payload bit is lost).
    static func exactHalf(_ value: Double) -> UInt16? {
        let bits = value.bitPattern
        let sign = UInt16(bits >> 63) << 15
        let payload = bits & 0x000F_FFFF_FFFF_FFFF
        if value.isNaN {
            guard payload & ((1 << 42) - 1) == 0 else { return nil }
            return sign | 0x7C00 | UInt16(payload >> 42)
        }
        if value.isInfinite {
            return sign | 0x7C00
        }
        if value == 0 {
            return sign
        }
        let magnitude = value.magnitude
        let exponent = Int(magnitude.exponent)
        switch exponent {
        case -14...15:
            // Normal half: 10 significand bits, so the double's low 42 must be zero.
            guard payload & ((1 << 42) - 1) == 0 else { return nil }
            return sign | UInt16(exponent + 15) << 10 | UInt16(payload >> 42)
        case -24 ..< -14:
            // Subnormal half: an integer multiple of 2^-24 below 2^-14; scaling by a power of two is exact.
            let units = magnitude * 0x1p24
            guard units == units.rounded(.towardZero) else { return nil }
            return sign | UInt16(units)
        default:
            return nil
        }
    }
}

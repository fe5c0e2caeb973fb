/// One CBOR data item (RFC 8949), as decoded by `CBORDecoder` or built for `CBOREncoder`.
///
/// Equality is structural: maps compare pair by pair in order, floats compare as `Double`
/// (so `NaN != NaN` and `0.0 == -0.0`; compare encodings when bits matter).
///
/// Only `tagged` is boxed: arrays and maps already keep their items on the heap, and boxing every case
/// cost a verifier one allocation per decoded item (docs/PERFORMANCE.md).
public enum CBOR: Sendable, Hashable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the integer `-1 - n`.
    case negative(UInt64)
    /// Major type 2: a byte string (indefinite-length chunks are joined).
    case bytes([UInt8])
    /// Major type 3: a UTF-8 text string (indefinite-length chunks are joined).
    case text(String)
    /// Major type 4: an array.
    case array([CBOR])
    /// Major type 5: a map, pairs in the order decoded or built.
    case map([CBORPair])
    /// Major type 6: a tag number and its content.
    indirect case tagged(UInt64, CBOR)
    /// Simple values 20 and 21.
    case bool(Bool)
    /// Simple value 22.
    case null
    /// Simple value 23.
    case undefined
    /// Any other simple value: 0-19 or 32-255.
    case simple(UInt8)
    /// A half, single or double precision float.
    case float(Double)
}

/// One key/value pair of a CBOR map.
public struct CBORPair: Sendable, Hashable {
    /// The key.
    public var key: CBOR
    /// The value.
    public var value: CBOR

    /// Creates a pair.
    public init(_ key: CBOR, _ value: CBOR) {
        self.key = key
        self.value = value
    }
}

extension CBOR {
    /// An integer as major type 0 or 1, whichever the sign calls for.
    public static func int(_ v: Int64) -> CBOR {
        // -1 - v cannot overflow for negative v, Int64.min included.
        v >= 0 ? .unsigned(UInt64(v)) : .negative(UInt64(-1 - v))
    }

    /// The integer value of `.unsigned` or `.negative` when it fits `Int64`, otherwise nil.
    public var int64: Int64? {
        switch self {
        case .unsigned(let n):
            return n <= UInt64(Int64.max) ? Int64(n) : nil
        case .negative(let n):
            return n <= UInt64(Int64.max) ? -1 - Int64(n) : nil
        default:
            return nil
        }
    }

    /// The string of `.text`, otherwise nil.
    public var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The bytes of `.bytes`, otherwise nil.
    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The items of `.array`, otherwise nil.
    public var arrayValue: [CBOR]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The pairs of `.map`, otherwise nil.
    public var mapValue: [CBORPair]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The value of the first pair whose key is the integer `key`; nil if absent or if this is not a map.
    public subscript(key: Int64) -> CBOR? {
        let wanted = CBOR.int(key)
        return mapValue?.first { $0.key == wanted }?.value
    }

    /// The value of the first pair whose key is the text `key`; nil if absent or if this is not a map.
    public subscript(key: String) -> CBOR? {
        mapValue?.first { $0.key == .text(key) }?.value
    }
}

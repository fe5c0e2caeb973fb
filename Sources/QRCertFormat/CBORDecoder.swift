/// Decodes CBOR (RFC 8949) from untrusted bytes, with limits.
///
/// Every failure throws `QRCertError` with stage `.cbor`. Lengths are checked against the remaining
/// input before anything is allocated, so a forged length cannot make the decoder reserve memory.
public struct CBORDecoder {
    /// Limits and strictness of one decode.
    public struct Options: Sendable {
        /// Most nested containers (arrays, maps, tags) open at once; one more fails with `CBOR_TOO_DEEP`.
        public var maxDepth: Int
        /// Most data items in total, counting every key, value, element and tag; more fail with `CBOR_TOO_MANY_ITEMS`.
        public var maxItems: Int
        /// Whether indefinite-length strings, arrays and maps are accepted (otherwise `CBOR_INDEFINITE`).
        public var allowIndefiniteLength: Bool
        /// Whether a map may repeat a key (otherwise `CBOR_DUPLICATE_KEY`).
        public var allowDuplicateKeys: Bool
        /// Whether integer, length and tag heads and floats must use their shortest form, RFC 8949 §4.1
        /// preferred serialisation (otherwise `CBOR_NOT_CANONICAL`). With it and definite lengths only,
        /// `CBOREncoder.encode(decode(b), deterministic: false) == b` for every `b` that decodes.
        public var requirePreferredEncoding: Bool

        /// The defaults: depth 16, 10 000 items, definite lengths only, no duplicate keys, any head length.
        public static let strict = Options()
        /// `strict` plus preferred serialisation: for bytes that no signature covers (the COSE_Sign1 envelope
        /// of a payload), so that a message has exactly one encoding and re-encodes to the bytes read.
        public static let preferred = Options(requirePreferredEncoding: true)
        /// Indefinite lengths and duplicate keys allowed, depth 64, 1 000 000 items: for RFC test vectors only.
        public static let lenient = Options(
            maxDepth: 64, maxItems: 1_000_000, allowIndefiniteLength: true, allowDuplicateKeys: true
        )

        /// Creates options; every parameter defaults to its `strict` value.
        public init(
            maxDepth: Int = 16,
            maxItems: Int = 10_000,
            allowIndefiniteLength: Bool = false,
            allowDuplicateKeys: Bool = false,
            requirePreferredEncoding: Bool = false
        ) {
            self.maxDepth = maxDepth
            self.maxItems = maxItems
            self.allowIndefiniteLength = allowIndefiniteLength
            self.allowDuplicateKeys = allowDuplicateKeys
            self.requirePreferredEncoding = requirePreferredEncoding
        }
    }

    /// Decodes exactly one item; trailing bytes are an error (`CBOR_TRAILING_BYTES`).
    public static func decode(_ bytes: [UInt8], options: Options = .strict) throws(QRCertError) -> CBOR {
        try decode(bytes[...], options: options)
    }

    /// As `decode(_:options:)`, for bytes in place (a payload's claims inside its COSE message); offsets in
    /// messages count from the start of `bytes`.
    public static func decode(_ bytes: ArraySlice<UInt8>, options: Options = .strict) throws(QRCertError) -> CBOR {
        let (item, used) = try decodePrefix(bytes, options: options)
        guard used == bytes.count else {
            throw QRCertError(
                .cbor, "CBOR_TRAILING_BYTES",
                "cbor item ends at byte \(used) but the input has \(bytes.count) bytes"
            )
        }
        return item
    }

    /// Decodes one item at the start and returns it with the number of bytes it used (for callers that
    /// need the exact byte span).
    public static func decodePrefix(
        _ bytes: ArraySlice<UInt8>, options: Options = .strict
    ) throws(QRCertError) -> (CBOR, Int) {
        var reader = Reader(bytes: bytes, options: options)
        let item = try reader.item(depth: 0)
        return (item, reader.position - bytes.startIndex)
    }
}

/// The decoding state of one call; never shared. Internal so that `CoseSign1.view` reads an envelope with the
/// very reads `decode` makes.
struct Reader {
    let bytes: ArraySlice<UInt8>
    let options: CBORDecoder.Options
    var position: Int
    var items = 0

    init(bytes: ArraySlice<UInt8>, options: CBORDecoder.Options) {
        self.bytes = bytes
        self.options = options
        self.position = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - position }

    /// An item's initial byte and argument (RFC 8949 §3).
    struct Head {
        var major: UInt8
        var info: UInt8
        /// The argument; meaningless when `indefinite`.
        var argument: UInt64
        var indefinite: Bool { info == 31 }
        var start: Int
    }

    mutating func item(depth: Int) throws(QRCertError) -> CBOR {
        let head = try readHead()
        return try item(after: head, depth: depth)
    }

    mutating func item(after head: Head, depth: Int) throws(QRCertError) -> CBOR {
        try count(head)
        switch head.major {
        case 0:
            return .unsigned(head.argument)
        case 1:
            return .negative(head.argument)
        case 2:
            return .bytes(try string(head))
        case 3:
            return .text(try text(head))
        case 4:
            try enter(depth, head)
            if head.indefinite {
                var elements = [CBOR]()
                while true {
                    let next = try readHead()
                    if next.isBreak { break }
                    elements.append(try item(after: next, depth: depth + 1))
                }
                return .array(elements)
            }
            // Each element takes at least one byte.
            let count = try count(head, minimumBytesEach: 1)
            var elements = [CBOR]()
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try item(depth: depth + 1))
            }
            return .array(elements)
        case 5:
            try enter(depth, head)
            var pairs = [CBORPair]()
            var seen = Set<CBOR>()
            if head.indefinite {
                while true {
                    let next = try readHead()
                    if next.isBreak { break }
                    let key = try item(after: next, depth: depth + 1)
                    let keyHead = try readHead()
                    if keyHead.isBreak {
                        throw error("CBOR_UNEXPECTED_BREAK", "cbor map ends after a key with no value", at: keyHead.start)
                    }
                    let value = try item(after: keyHead, depth: depth + 1)
                    try note(key, among: pairs, seen: &seen, at: next.start)
                    pairs.append(CBORPair(key, value))
                }
                return .map(pairs)
            }
            // Each pair takes at least two bytes.
            let count = try count(head, minimumBytesEach: 2)
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let keyStart = position
                let key = try item(depth: depth + 1)
                let value = try item(depth: depth + 1)
                try note(key, among: pairs, seen: &seen, at: keyStart)
                pairs.append(CBORPair(key, value))
            }
            return .map(pairs)
        case 6:
            try enter(depth, head)
            return .tagged(head.argument, try item(depth: depth + 1))
        default:
            return try simpleOrFloat(head)
        }
    }

    /// Counts the item `head` starts against `maxItems`.
    mutating func count(_ head: Head) throws(QRCertError) {
        items += 1
        guard items <= options.maxItems else {
            throw error("CBOR_TOO_MANY_ITEMS", "cbor input has more than \(options.maxItems) data items", at: head.start)
        }
    }

    /// The range of a definite byte or text string's content, without copying it.
    mutating func definiteRange(_ head: Head) throws(QRCertError) -> Range<Int> {
        guard head.argument <= UInt64(remaining) else {
            throw error("CBOR_TRUNCATED", "cbor string claims \(head.argument) bytes but only \(remaining) remain", at: head.start)
        }
        let end = position + Int(head.argument)
        defer { position = end }
        return position..<end
    }

    // MARK: Heads

    mutating func readHead() throws(QRCertError) -> Head {
        let start = position
        guard remaining >= 1 else {
            throw error("CBOR_TRUNCATED", "cbor input ends where an item should start", at: start)
        }
        let initial = bytes[position]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1F
        var head = Head(major: major, info: info, argument: UInt64(info), start: start)
        switch info {
        case 0..<24:
            break
        case 24...27:
            let size = 1 << Int(info - 24)
            guard remaining >= size else {
                throw error("CBOR_TRUNCATED", "cbor input ends inside the \(size)-byte argument of an item", at: start)
            }
            var value: UInt64 = 0
            for i in 0..<size {
                value = value << 8 | UInt64(bytes[position + i])
            }
            position += size
            head.argument = value
            // Float bits (major 7, 25-27) are not lengths: `shortestFloat` checks their form.
            if options.requirePreferredEncoding && major != 7 {
                let shortest: Bool
                switch info {
                case 24: shortest = value >= 24
                case 25: shortest = value > 0xFF
                case 26: shortest = value > 0xFFFF
                default: shortest = value > 0xFFFF_FFFF
                }
                guard shortest else {
                    throw error(
                        "CBOR_NOT_CANONICAL",
                        "cbor argument \(value) is encoded in \(size) byte\(size == 1 ? "" : "s"), longer than needed", at: start
                    )
                }
            }
        case 28...30:
            throw error("CBOR_RESERVED", "cbor item uses reserved additional information \(info)", at: start)
        default:  // 31
            switch major {
            case 2, 3, 4, 5:
                guard options.allowIndefiniteLength else {
                    throw error("CBOR_INDEFINITE", "cbor item has an indefinite length, which is not allowed here", at: start)
                }
            case 7:
                break  // "break": only valid where the caller expects it, see `isBreak`.
            default:
                throw error("CBOR_RESERVED", "cbor major type \(major) cannot have an indefinite length", at: start)
            }
        }
        return head
    }

    /// Checks a definite container length against the input left and returns it as `Int`.
    func count(_ head: Head, minimumBytesEach: UInt64) throws(QRCertError) -> Int {
        let available = UInt64(remaining) / minimumBytesEach
        guard head.argument <= available else {
            throw error(
                "CBOR_TRUNCATED",
                "cbor \(head.major == 4 ? "array" : "map") claims \(head.argument) entries but only \(remaining) bytes remain",
                at: head.start
            )
        }
        return Int(head.argument)
    }

    func enter(_ depth: Int, _ head: Head) throws(QRCertError) {
        guard depth < options.maxDepth else {
            throw error("CBOR_TOO_DEEP", "cbor nesting is deeper than \(options.maxDepth)", at: head.start)
        }
    }

    /// Throws `CBOR_DUPLICATE_KEY` when `key` is already a key of `pairs`. The small maps a payload holds are
    /// searched in place (no hashing, no set per map); from 16 keys on, `seen` holds them all.
    func note(_ key: CBOR, among pairs: [CBORPair], seen: inout Set<CBOR>, at start: Int) throws(QRCertError) {
        guard !options.allowDuplicateKeys else { return }
        let repeated: Bool
        if pairs.count < 16 {
            repeated = pairs.withUnsafeBufferPointer { earlier in
                for index in earlier.indices where Self.sameKey(earlier[index].key, key) { return true }
                return false
            }
        } else {
            if seen.isEmpty { seen = Set(pairs.map(\.key)) }
            repeated = !seen.insert(key).inserted
        }
        guard repeated else { return }
        throw error("CBOR_DUPLICATE_KEY", "cbor map repeats a key", at: start)
    }

    /// `a == b` for map keys without copying either: integer and text keys (every key a payload has) compare
    /// their values, which is what `==` does for them; any other key compares with `==`.
    static func sameKey(_ a: CBOR, _ b: CBOR) -> Bool {
        switch a {
        case .unsigned(let x):
            if case .unsigned(let y) = b { return x == y }
            return false
        case .negative(let x):
            if case .negative(let y) = b { return x == y }
            return false
        case .text(let x):
            if case .text(let y) = b { return x == y }
            return false
        default:
            return a == b
        }
    }

    // MARK: Strings

    /// The content of a byte or text string whose head was just read; chunks of an indefinite one are joined.
    mutating func string(_ head: Head) throws(QRCertError) -> [UInt8] {
        guard head.indefinite else {
            return try definiteString(head)
        }
        var joined = [UInt8]()
        while true {
            let chunk = try readHead()
            if chunk.isBreak { return joined }
            // RFC 8949 §3.2.3: each chunk is a definite string of the same major type.
            guard chunk.major == head.major && !chunk.indefinite else {
                throw error(
                    "CBOR_INDEFINITE", "cbor indefinite-length string contains a chunk that is not a definite string of its type",
                    at: chunk.start
                )
            }
            items += 1
            guard items <= options.maxItems else {
                throw error("CBOR_TOO_MANY_ITEMS", "cbor input has more than \(options.maxItems) data items", at: chunk.start)
            }
            let part = try definiteString(chunk)
            if head.major == 3 {
                _ = try validUTF8(part[...], at: chunk.start)
            }
            joined += part
        }
    }

    mutating func definiteString(_ head: Head) throws(QRCertError) -> [UInt8] {
        // `definiteRange` compares before anything is allocated: the claimed length is untrusted.
        Array(bytes[try definiteRange(head)])
    }

    mutating func text(_ head: Head) throws(QRCertError) -> String {
        guard !head.indefinite else { return try validUTF8(try string(head)[...], at: head.start) }
        // A definite text is decoded from the input in place: no byte array between the input and the string.
        let range = try definiteRange(head)
        return try validUTF8(bytes[range], at: head.start)
    }

    func validUTF8(_ content: ArraySlice<UInt8>, at start: Int) throws(QRCertError) -> String {
        // Checked first, so that decoding (which would repair an invalid sequence with U+FFFD) only copies.
        let text: String? = content.withUnsafeBufferPointer { utf8 in
            Self.isWellFormed(utf8) ? String(decoding: utf8, as: UTF8.self) : nil
        }
        guard let text else { throw error("CBOR_BAD_UTF8", "cbor text string is not valid utf-8", at: start) }
        return text
    }

    /// Whether `utf8` is well-formed UTF-8 (The Unicode Standard, Table 3-7): no overlong forms, no surrogates,
    /// nothing above U+10FFFF, no truncated sequence.
    static func isWellFormed(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = utf8.count
        var index = 0
        while index < count {
            let lead = utf8[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the range of the byte after the lead
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard count - index >= length, (low...high).contains(utf8[index + 1]) else { return false }
            for offset in 2..<length where utf8[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }

    // MARK: Major type 7

    mutating func simpleOrFloat(_ head: Head) throws(QRCertError) -> CBOR {
        switch head.info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24:
            // RFC 8949 §3.3: 0xF8 followed by a value below 32 is not well-formed.
            guard head.argument >= 32 else {
                throw error("CBOR_RESERVED", "cbor simple value \(head.argument) must not use the two-byte form", at: head.start)
            }
            return .simple(UInt8(head.argument))
        case 25:
            return .float(Self.halfToDouble(UInt16(head.argument)))
        case 26:
            return .float(try shortestFloat(Self.singleToDouble(UInt32(head.argument)), head))
        case 27:
            return .float(try shortestFloat(Double(bitPattern: head.argument), head))
        case 31:
            throw error("CBOR_UNEXPECTED_BREAK", "cbor break stop code outside an indefinite-length item", at: head.start)
        default:  // 0-19
            return .simple(head.info)
        }
    }

    /// RFC 8949 §4.1: preferred serialisation writes a float in the shortest form that keeps its value
    /// (NaN payload included), as `CBOREncoder` does.
    func shortestFloat(_ value: Double, _ head: Head) throws(QRCertError) -> Double {
        guard options.requirePreferredEncoding else { return value }
        let shorter = CBOREncoder.exactHalf(value) != nil || (head.info == 27 && CBOREncoder.exactSingle(value) != nil)
        guard !shorter else {
            throw error("CBOR_NOT_CANONICAL", "cbor float \(value) is encoded in more bytes than needed", at: head.start)
        }
        return value
    }

    /// IEEE 754 binary32 to Double; NaN payloads are moved bit for bit (hardware conversion would quiet them).
    static func singleToDouble(_ bits: UInt32) -> Double {
        let value = Float(bitPattern: bits)
        guard value.isNaN else { return Double(value) }
        let sign = UInt64(bits >> 31) << 63
        return Double(bitPattern: sign | 0x7FF0_0000_0000_0000 | UInt64(bits & 0x7F_FFFF) << 29)
    }

    /// IEEE 754 binary16 to Double, without relying on `Float16` (absent on some platforms).
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F)
        let mantissa = Double(bits & 0x3FF)
        switch exponent {
        case 0:
            return sign * mantissa * 0x1p-24
        case 31:
            // Keep the payload bits of a NaN: shift them into the top of the double's significand.
            if bits & 0x3FF == 0 { return sign * .infinity }
            let payload = UInt64(bits & 0x3FF) << 42
            return Double(bitPattern: (bits & 0x8000 != 0 ? 1 << 63 : 0) | 0x7FF0_0000_0000_0000 | payload)
        default:
            return sign * (1 + mantissa * 0x1p-10) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    func error(_ code: String, _ message: String, at start: Int) -> QRCertError {
        QRCertError(.cbor, code, "\(message) (at byte \(start - bytes.startIndex))")
    }
}

extension Reader.Head {
    /// The "break" stop code, 0xFF.
    var isBreak: Bool { major == 7 && info == 31 }
}

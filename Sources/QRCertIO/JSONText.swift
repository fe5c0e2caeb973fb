import QRCert

/// A JSON value written with its keys in the order given, for manifests and `--json` lines.
public enum JSONText: Sendable {
    /// A string, quoted as `JSONString.quote` does.
    case string(String)
    /// An integer.
    case number(Int64)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array, in order.
    case array([JSONText])
    /// An object whose members keep the order given.
    case object([(String, JSONText)])

    /// `value` as a string, or null.
    public static func optional(_ value: String?) -> JSONText { value.map { .string($0) } ?? .null }
    /// `value` as a number, or null.
    public static func optional(_ value: Int64?) -> JSONText { value.map { .number($0) } ?? .null }

    /// Compact, one line, UTF-8 kept as is.
    public var rendered: String {
        let out = WriteBuffer(capacity: 256)
        render(into: out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends the compact form's UTF-8 to `out`: a caller that answers many payloads reuses one buffer.
    public func render(into out: inout [UInt8]) {
        let buffer = WriteBuffer(capacity: 256)
        render(into: buffer)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// Appends the compact form's UTF-8 to `out`.
    public func render(into out: WriteBuffer) {
        switch self {
        case .string(let s): JSONString.quote(s, into: out)
        case .number(let n): Self.number(n, into: out)
        case .bool(let b): out.append(b ? "true" : "false")
        case .null: out.append("null")
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.render(into: out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.quote(pair.0, into: out)
                out.append(UInt8(ascii: ":"))
                pair.1.render(into: out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `n` in decimal, without a `String` on the way.
    static func number(_ n: Int64, into out: WriteBuffer) {
        // 20 digits and a sign at most (Int64.min).
        let room = out.reserve(20)
        var magnitude = n.magnitude
        var digits = 0
        repeat {
            room[digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            digits += 1
        } while magnitude > 0
        if n < 0 { room[digits] = UInt8(ascii: "-"); digits += 1 }
        var written = UnsafeMutableBufferPointer(start: room, count: digits)
        written.reverse()
        out.commit(digits)
    }
}

/// The members of one JSON object written straight into a buffer as they come, in the order given: for the
/// line written per answer, where building a `JSONText` tree first cost more than writing it.
public struct JSONMembers: Sendable {
    private var count = 0

    /// An object with no member written yet.
    public init() {}

    /// An object whose opening brace and first members are written already: every key comes after a comma.
    public static var continuing: JSONMembers {
        var members = JSONMembers()
        members.count = 1
        return members
    }

    /// `"key":` (after a comma unless it is the first member); the caller writes the value next.
    public mutating func key(_ key: String, into out: inout [UInt8]) {
        out.append(count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        count += 1
        JSONString.quote(key, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// As `key(_:into:)`, into a `WriteBuffer`.
    public mutating func key(_ key: String, into out: WriteBuffer) {
        out.append(count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        count += 1
        JSONString.quote(key, into: out)
        out.append(UInt8(ascii: ":"))
    }

    /// As `key(_:into:)` for a key that needs no escape (letters, digits, `_`): its bytes copied as they are.
    public mutating func key(plain key: StaticString, into out: inout [UInt8]) {
        out.append(count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        count += 1
        out.append(UInt8(ascii: "\""))
        Self.append(key, into: &out)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// Appends the bytes of `text` (a literal such as `null` or `[]`) to `out`.
    public static func append(_ text: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `"key":value`.
    public mutating func add(_ key: String, _ value: JSONText, into out: inout [UInt8]) {
        self.key(key, into: &out)
        value.render(into: &out)
    }

    /// `"key":value`, into a `WriteBuffer`.
    public mutating func add(_ key: String, _ value: JSONText, into out: WriteBuffer) {
        self.key(key, into: out)
        value.render(into: out)
    }

    /// The closing brace (`{}` for an object without members).
    public func close(into out: inout [UInt8]) {
        if count == 0 { out.append(UInt8(ascii: "{")) }
        out.append(UInt8(ascii: "}"))
    }

    /// The closing brace, into a `WriteBuffer`.
    public func close(into out: WriteBuffer) {
        if count == 0 { out.append(UInt8(ascii: "{")) }
        out.append(UInt8(ascii: "}"))
    }
}

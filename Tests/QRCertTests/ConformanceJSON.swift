import Foundation
import QRCertFormat

/// A JSON value read exactly as written: test files are compared field by field, and the suite's
/// `JSON` field is compared with the CBOR the payload carries.
enum ConformanceJSON: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ConformanceJSON])
    case object([String: ConformanceJSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConformanceJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ConformanceJSON].self))
        }
    }

    /// Reads a JSON document.
    static func parse(_ data: Data) throws -> ConformanceJSON {
        try JSONDecoder().decode(ConformanceJSON.self, from: data)
    }

    subscript(key: String) -> ConformanceJSON? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var object: [String: ConformanceJSON]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let text): "\"\(text)\""
        case .array(let items): "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let fields):
            "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        }
    }

    /// The JSON form of a decoded CBOR item, as the suite writes it: text-keyed maps become objects,
    /// integers and floats numbers; a tag is transparent (DCC dates may be tagged). Nil for what
    /// JSON cannot hold (byte strings, non-text keys, undefined, other simple values).
    init?(cbor: CBOR) {
        switch cbor {
        case .unsigned(let n): self = .number(Double(n))
        case .negative(let n): self = .number(-1 - Double(n))
        case .float(let value): self = .number(value)
        case .text(let text): self = .string(text)
        case .bool(let value): self = .bool(value)
        case .null: self = .null
        case .tagged(_, let inner):
            guard let value = ConformanceJSON(cbor: inner) else { return nil }
            self = value
        case .array(let items):
            var values: [ConformanceJSON] = []
            for item in items {
                guard let value = ConformanceJSON(cbor: item) else { return nil }
                values.append(value)
            }
            self = .array(values)
        case .map(let pairs):
            var fields: [String: ConformanceJSON] = [:]
            for pair in pairs {
                guard case .text(let key) = pair.key, let value = ConformanceJSON(cbor: pair.value) else { return nil }
                fields[key] = value
            }
            self = .object(fields)
        case .bytes, .undefined, .simple:
            return nil
        }
    }

    /// The first path at which `self` and `other` differ, for a message; nil when equal.
    func firstDifference(from other: ConformanceJSON, path: String = "$") -> String? {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() {
                guard let left = a[key] else { return "\(path).\(key) only in the expected JSON" }
                guard let right = b[key] else { return "\(path).\(key) only in the payload" }
                if let difference = left.firstDifference(from: right, path: "\(path).\(key)") { return difference }
            }
            return nil
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return "\(path) has \(a.count) items, expected \(b.count)" }
            for (index, (left, right)) in zip(a, b).enumerated() {
                if let difference = left.firstDifference(from: right, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return self == other ? nil : "\(path) is \(self), expected \(other)"
        }
    }
}

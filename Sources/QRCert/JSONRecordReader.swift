import Foundation
import QRCertFormat

/// Records from a JSON array of objects or from JSON Lines, streamed (the array is parsed element
/// by element, never loaded whole).
///
/// Records are flat: a value is a string or null (empty). A number is refused (`REC_JSON_NUMBER`): a
/// licence number exported as a number has lost its leading zeros, and nothing may guess them back.
/// A nested value, a boolean or a repeated key rejects that record. In JSON Lines a line that is not
/// valid JSON is rejected on its own; in an array a syntax error ends the read, since nothing after it
/// can be trusted to be where it seems.
public struct JSONRecordReader: RecordReader {
    /// Array of objects or one object per line.
    public enum Layout: Sendable { case array, lines }

    private let stream: ByteStream
    private let source: String
    private let layout: Layout
    private let maxRecordBytes: Int
    private var started = false
    private var done = false

    /// A reader over `handle`; `source` names it in messages.
    public init(handle: FileHandle, source: String, layout: Layout, maxRecordBytes: Int = 1 << 20) {
        self.stream = ByteStream(handle: handle)
        self.source = source
        self.layout = layout
        self.maxRecordBytes = maxRecordBytes
    }

    /// Input bytes consumed so far.
    public var bytesRead: Int { stream.offset }

    public mutating func next() throws(QRCertError) -> RecordReadResult? {
        guard !done else { return nil }
        switch layout {
        case .lines: return try nextLine()
        case .array: return try nextElement()
        }
    }

    private mutating func nextLine() throws(QRCertError) -> RecordReadResult? {
        while true {
            try skipSpaces(newlines: true)
            guard try stream.peek() != nil else { done = true; return nil }
            let line = stream.line
            let start = stream.offset
            do throws(QRCertError) {
                let row = try parseObject(line: line, start: start)
                try skipSpaces(newlines: false)
                if let byte = try stream.peek(), byte != 0x0A {
                    throw syntax("text after the object on the same line")
                }
                return row
            } catch {
                guard error.stage == .records, error.code != "IO_READ" else { throw error }
                try skipRestOfLine(from: line)
                return .rejected(RejectedRow(source: source, line: line, field: nil, error: error))
            }
        }
    }

    private mutating func nextElement() throws(QRCertError) -> RecordReadResult? {
        do throws(QRCertError) {
            try skipSpaces(newlines: true)
            if !started {
                if try stream.peek() == 0xEF { try expect(0xEF); try expect(0xBB); try expect(0xBF); try skipSpaces(newlines: true) }
                guard try stream.next() == UInt8(ascii: "[") else { throw syntax("a JSON array of objects must start with [") }
                started = true
                try skipSpaces(newlines: true)
                if try stream.peek() == UInt8(ascii: "]") { _ = try stream.next(); return try finishArray() }
            } else {
                switch try stream.next() {
                case UInt8(ascii: ","): try skipSpaces(newlines: true)
                case UInt8(ascii: "]"): return try finishArray()
                case nil: throw syntax("the array is not closed")
                default: throw syntax("expected , or ] between records")
                }
            }
            return try parseObject(line: stream.line, start: stream.offset)
        } catch {
            done = true
            if error.stage == .records { throw error.located("\(source):\(stream.line)") }
            throw error
        }
    }

    private mutating func finishArray() throws(QRCertError) -> RecordReadResult? {
        try skipSpaces(newlines: true)
        guard try stream.peek() == nil else { throw syntax("text after the closing ]") }
        done = true
        return nil
    }

    /// Parses `{ "name": value, ... }`. A value of the wrong kind is a record-level rejection after the whole object is read.
    /// In JSON Lines a record never spans a newline: a cut line is rejected alone and never swallows the next record.
    private func parseObject(line: Int, start: Int) throws(QRCertError) -> RecordReadResult {
        guard try stream.next() == UInt8(ascii: "{") else { throw syntax("expected a JSON object") }
        var fields: [(name: String, value: String)] = []
        var names = Set<String>()
        var problem: RejectedRow?
        try skipSpaces(newlines: layout == .array)
        if try stream.peek() == UInt8(ascii: "}") {
            _ = try stream.next()
            return .row(RecordRow(source: source, line: line, fields: []))
        }
        while true {
            try skipSpaces(newlines: layout == .array)
            let name = try parseString()
            try skipSpaces(newlines: layout == .array)
            guard try stream.next() == UInt8(ascii: ":") else { throw syntax("expected : after a key") }
            try skipSpaces(newlines: layout == .array)
            let value = try parseValue()
            if stream.offset - start > maxRecordBytes {
                throw QRCertError(.records, "REC_ROW_TOO_LONG", "record is longer than \(maxRecordBytes) bytes")
            }
            if !names.insert(name).inserted, problem == nil {
                problem = RejectedRow(source: source, line: line, field: name,
                                      error: QRCertError(.records, "REC_DUPLICATE_KEY", "key appears twice in the object"))
            }
            switch value {
            case .text(let text): fields.append((name, text))
            case .number(let literal):
                // A number has already lost what a registry's identifiers need (leading zeros, long digit strings).
                if problem == nil {
                    problem = RejectedRow(source: source, line: line, field: name, error: QRCertError(
                        .records, "REC_JSON_NUMBER", "value is the JSON number \(literal); write it as a string, a number keeps no leading zeros"))
                }
            case .null: fields.append((name, ""))
            case .other(let kind):
                if problem == nil {
                    problem = RejectedRow(source: source, line: line, field: name,
                                          error: QRCertError(.records, "REC_BAD_TYPE", "value is \(kind); expected a string or null"))
                }
            }
            try skipSpaces(newlines: layout == .array)
            switch try stream.next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"):
                if let problem { return .rejected(problem) }
                return .row(RecordRow(source: source, line: line, fields: fields))
            case 0x0A?, nil: throw syntax("the record ends before its closing }")
            default: throw syntax("expected , or } in an object")
            }
        }
    }

    private enum Value { case text(String), number(String), null, other(String) }

    private func parseValue() throws(QRCertError) -> Value {
        switch try stream.peek() {
        case UInt8(ascii: "\""): return .text(try parseString())
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "t"): try literal("true"); return .other("a boolean")
        case UInt8(ascii: "f"): try literal("false"); return .other("a boolean")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipNested()
            return .other("an object or array")
        case let byte? where byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39):
            return .number(try parseNumber())
        default:
            throw syntax("expected a value")
        }
    }

    private func parseNumber() throws(QRCertError) -> String {
        var bytes: [UInt8] = []
        while let byte = try stream.peek(), byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || (byte >= 0x30 && byte <= 0x39) {
            bytes.append(byte)
            _ = try stream.next()
            if bytes.count > 64 { throw syntax("number too long") }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard Double(text) != nil else { throw syntax("bad number \(text)") }
        return text
    }

    private func parseString() throws(QRCertError) -> String {
        guard try stream.next() == UInt8(ascii: "\"") else { throw syntax("expected a string") }
        var bytes: [UInt8] = []
        while true {
            guard let byte = try stream.next() else { throw syntax("string not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw QRCertError(.records, "REC_BAD_UTF8", "string is not valid UTF-8")
                }
                return FieldText.nfc(text)
            case UInt8(ascii: "\\"):
                guard let escaped = try stream.next() else { throw syntax("string not closed") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard try stream.next() == UInt8(ascii: "\\"), try stream.next() == UInt8(ascii: "u") else {
                            throw syntax("unpaired surrogate in \\u escape")
                        }
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw syntax("unpaired surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw syntax("bad \\u escape") }
                    bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw syntax("bad escape in string")
                }
            case 0x00..<0x20:
                throw syntax("control character inside a string")
            default:
                bytes.append(byte)
                if bytes.count > maxRecordBytes { throw QRCertError(.records, "REC_FIELD_TOO_LONG", "string is longer than \(maxRecordBytes) bytes") }
            }
        }
    }

    private func hex4() throws(QRCertError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = try stream.next(), let digit = UInt8(ascii: "0")...UInt8(ascii: "9") ~= byte ? UInt32(byte - 0x30)
                    : (UInt8(ascii: "a")...UInt8(ascii: "f") ~= byte ? UInt32(byte - 0x57)
                    : (UInt8(ascii: "A")...UInt8(ascii: "F") ~= byte ? UInt32(byte - 0x37) : nil)) else {
                throw syntax("bad \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    private func skipNested() throws(QRCertError) {
        var depth = 0
        repeat {
            guard let byte = try stream.peek() else { throw syntax("unclosed object or array") }
            if layout == .lines && byte == 0x0A { throw syntax("unclosed object or array on this line") }
            switch byte {
            case UInt8(ascii: "\""): _ = try parseString(); continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            _ = try stream.next()
            if depth > 64 { throw syntax("nesting too deep") }
        } while depth > 0
    }

    private func literal(_ word: String) throws(QRCertError) {
        for expected in word.utf8 {
            guard try stream.next() == expected else { throw syntax("bad literal, expected \(word)") }
        }
    }

    private func expect(_ byte: UInt8) throws(QRCertError) {
        guard try stream.next() == byte else { throw syntax("unexpected byte") }
    }

    private func skipSpaces(newlines: Bool) throws(QRCertError) {
        while let byte = try stream.peek(), byte == 0x20 || byte == 0x09 || byte == 0x0D || (newlines && byte == 0x0A) {
            _ = try stream.next()
        }
    }

    private func skipRestOfLine(from line: Int) throws(QRCertError) {
        while stream.line == line, try stream.next() != nil {}
    }

    private func syntax(_ what: String) -> QRCertError {
        QRCertError(.records, "REC_BAD_JSON", what)
    }
}

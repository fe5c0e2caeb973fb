import Foundation
import QRCertFormat

/// RFC 4180 CSV, streamed: quoted fields with embedded separators, quotes and newlines, CRLF or LF,
/// an optional UTF-8 byte order mark. The first row names the fields. The separator is a comma, or a
/// semicolon (what spreadsheets write in decimal-comma locales, Viet Nam's among them), given or
/// detected from the header line (docs/FORMAT.md §7).
///
/// A row is rejected on its own only where its end is known: a ragged row, bad UTF-8, a field or row
/// over its limit are parsed to their real end, quotes included, and reading goes on after it. A stray
/// quote (inside an unquoted value, or text after a closing quote) leaves the row's end unknowable, since
/// a newline after it may lie inside a quoted field: reading stops there with `REC_BAD_QUOTE`, so a
/// record hidden inside a quoted field is never read as a row of its own. An unterminated quote runs to
/// the end of the file and is rejected there.
public struct CSVRecordReader: RecordReader {
    /// Field separators.
    public enum Delimiter: String, Sendable, CaseIterable {
        /// `,` (RFC 4180).
        case comma = ","
        /// `;`.
        case semicolon = ";"
        /// A tab.
        case tab = "\t"

        var byte: UInt8 {
            switch self {
            case .comma: UInt8(ascii: ",")
            case .semicolon: UInt8(ascii: ";")
            case .tab: 0x09
            }
        }

        /// The header line's separator: a semicolon when the line has semicolons and no comma outside quotes,
        /// otherwise a comma.
        static func detect(headerLine bytes: [UInt8]) -> Delimiter {
            var quoted = false, commas = 0, semicolons = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): quoted.toggle()
                case UInt8(ascii: ",") where !quoted: commas += 1
                case UInt8(ascii: ";") where !quoted: semicolons += 1
                default: break
                }
            }
            return commas == 0 && semicolons > 0 ? .semicolon : .comma
        }
    }

    /// Size limits (docs/ERRORS.md: REC_FIELD_TOO_LONG, REC_ROW_TOO_LONG).
    public struct Limits: Sendable {
        /// Longest field, in bytes.
        public var maxFieldBytes = 64 * 1024
        /// Longest row, in bytes.
        public var maxRowBytes = 1024 * 1024
        /// Most fields in a row.
        public var maxFields = 256
        /// The defaults.
        public static let standard = Limits()
    }

    private let stream: ByteStream
    private let source: String
    private let limits: Limits
    private var header: [String]?
    private var headerLine = 1
    private var separator: Delimiter?
    /// Set once reading has stopped at a row whose end cannot be known.
    private var stopped = false

    /// A reader over `handle`; `source` names it in messages. `delimiter` nil: detected from the header line.
    public init(handle: FileHandle, source: String, delimiter: Delimiter? = nil, limits: Limits = .standard) {
        self.stream = ByteStream(handle: handle)
        self.source = source
        self.separator = delimiter
        self.limits = limits
    }

    /// The header's field names, once read.
    public var fieldNames: [String]? { header }

    /// The separator in use: as given, or detected once the header is read.
    public var delimiter: Delimiter? { separator }

    /// Input bytes consumed so far.
    public var bytesRead: Int { stream.offset }

    /// Reads the header and checks it against `profile` before any row is read: a column the profile
    /// does not have, or a required field with no column, is one error for the whole file.
    public mutating func start(checking profile: Profile) throws(QRCertError) {
        let names = try readHeader()
        let location = "\(source):\(headerLine)"
        let unknown = names.filter { profile.field(named: $0) == nil }
        let missing = profile.fields.filter { $0.required && !names.contains($0.name) }.map(\.name)
        guard unknown.isEmpty && missing.isEmpty else {
            let expected = "the columns of profile \(profile.type) are \(profile.fields.map(\.name).joined(separator: ", "))"
            if !unknown.isEmpty {
                let near = unknown.compactMap { name in profile.fields.first { $0.name.lowercased() == name.lowercased() }.map { "\(name) -> \($0.name)" } }
                throw QRCertError(.records, "REC_UNKNOWN_COLUMN",
                                  "\(location): the header names \(unknown.count == 1 ? "a column" : "columns") the profile does not have: \(unknown.joined(separator: ", "))",
                                  hint: near.isEmpty ? expected : "column names are case-sensitive (\(near.joined(separator: ", "))); \(expected)")
            }
            throw QRCertError(.records, "REC_MISSING_COLUMN",
                              "\(location): the header has no column for required field\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))",
                              hint: expected)
        }
    }

    private mutating func readHeader() throws(QRCertError) -> [String] {
        if let header { return header }
        try skipByteOrderMark()
        if separator == nil {
            separator = Delimiter.detect(headerLine: try stream.peekPrefix(upTo: limits.maxRowBytes, stoppingAt: 0x0A))
        }
        guard let first = try readRow() else {
            throw QRCertError(.records, "REC_EMPTY_INPUT", "\(source): no header row", hint: "the first line must name the fields")
        }
        guard case .success(let names) = first.result else {
            if case .failure(let error) = first.result { throw error.located("\(source):\(first.line)") }
            fatalError("unreachable")
        }
        var seen = Set<String>()
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw QRCertError(.records, "REC_BAD_HEADER", "\(source):\(first.line): header has an empty field name")
            }
            guard seen.insert(trimmed).inserted else {
                throw QRCertError(.records, "REC_BAD_HEADER", "\(source):\(first.line): header names \(trimmed) twice")
            }
        }
        let trimmed = names.map { $0.trimmingCharacters(in: .whitespaces) }
        header = trimmed
        headerLine = first.line
        return trimmed
    }

    public mutating func next() throws(QRCertError) -> RecordReadResult? {
        let header = try readHeader()
        guard !stopped else { return nil }
        while let raw = try readRow() {
            switch raw.result {
            case .failure(let error) where !raw.endKnown:
                // Where this row ends cannot be told: whatever follows may lie inside one of its quoted fields.
                stopped = true
                let field = raw.column.flatMap { header.indices.contains($0) ? "\(header[$0]): " : nil } ?? ""
                throw QRCertError(error.stage, error.code, "\(source):\(raw.line): \(field)\(error.message); reading stopped, the row's end cannot be told",
                                  hint: "quote the whole field (\"...\", inner quotes doubled); the rows before it were issued, none after it was read")
            case .failure(let error):
                // Name the column when the fault is in one field (bad UTF-8, a stray quote, too long).
                let field = raw.column.flatMap { header.indices.contains($0) ? header[$0] : nil }
                return .rejected(RejectedRow(source: source, line: raw.line, field: field, error: error))
            case .success(let values):
                if values.count == 1 && values[0].isEmpty && !raw.quoted { continue }  // a blank line holds no data
                guard values.count == header.count else {
                    return .rejected(RejectedRow(source: source, line: raw.line, field: nil, error: QRCertError(
                        .records, "REC_RAGGED", "row has \(values.count) fields, the header has \(header.count)")))
                }
                return .row(RecordRow(source: source, line: raw.line, fields: Array(zip(header, values)).map { (name: $0.0, value: $0.1) }))
            }
        }
        return nil
    }

    private func skipByteOrderMark() throws(QRCertError) {
        // EF BB BF; only at the very start.
        if try stream.peek() == 0xEF {
            _ = try stream.next()
            guard try stream.next() == 0xBB, try stream.next() == 0xBF else {
                throw QRCertError(.records, "REC_BAD_UTF8", "\(source):1: input is not UTF-8")
            }
        }
    }

    private struct RawRow {
        var line: Int
        var result: Result<[String], QRCertError>
        var quoted: Bool
        /// 0-based index of the field at fault, when the failure is in one field.
        var column: Int?
        /// Whether the row was read to its real end (false after a stray quote).
        var endKnown = true
    }

    /// Reads one physical record (which may span lines inside quotes). Nil at the end of input.
    private func readRow() throws(QRCertError) -> RawRow? {
        guard try stream.peek() != nil else { return nil }
        let line = stream.line
        let separator = (self.separator ?? .comma).byte
        var fields: [String] = []
        var field: [UInt8] = []
        var rowBytes = 0
        var anyQuoted = false
        var failure: QRCertError?
        var failedColumn: Int?

        func finishField() {
            guard failure == nil else { return }
            guard fields.count < limits.maxFields else {
                failure = QRCertError(.records, "REC_TOO_MANY_FIELDS", "row has more than \(limits.maxFields) fields")
                return
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                failure = QRCertError(.records, "REC_BAD_UTF8", "field \(fields.count + 1) is not valid UTF-8")
                failedColumn = fields.count
                return
            }
            fields.append(FieldText.nfc(text))
            field.removeAll(keepingCapacity: true)
        }
        func fail(_ error: QRCertError, column: Int? = nil) {
            if failure == nil { failure = error; failedColumn = column }
        }

        fieldLoop: while true {
            // Start of a field.
            if try stream.peek() == UInt8(ascii: "\"") {
                _ = try stream.next()
                anyQuoted = true
                while true {
                    guard let byte = try stream.next() else {
                        return RawRow(line: line, result: .failure(QRCertError(
                            .records, "REC_UNTERMINATED_QUOTE", "quoted field opened here is never closed")), quoted: true, column: fields.count)
                    }
                    rowBytes += 1
                    if rowBytes > limits.maxRowBytes {
                        fail(QRCertError(.records, "REC_ROW_TOO_LONG", "row is longer than \(limits.maxRowBytes) bytes"))
                    }
                    if byte == UInt8(ascii: "\"") {
                        if try stream.peek() == UInt8(ascii: "\"") {
                            _ = try stream.next()
                            field.append(byte)
                            continue
                        }
                        break
                    }
                    if field.count < limits.maxFieldBytes { field.append(byte) } else {
                        fail(QRCertError(.records, "REC_FIELD_TOO_LONG", "field \(fields.count + 1) is longer than \(limits.maxFieldBytes) bytes"), column: fields.count)
                    }
                }
                // After a closing quote: a separator or the end of the line.
                switch try stream.next() {
                case nil: finishField(); break fieldLoop
                case separator: finishField(); continue fieldLoop
                case 0x0A: finishField(); break fieldLoop
                case 0x0D where try stream.peek() == 0x0A: _ = try stream.next(); finishField(); break fieldLoop
                default:
                    return RawRow(line: line, result: .failure(QRCertError(
                        .records, "REC_BAD_QUOTE", "field \(fields.count + 1) has text after its closing quote")),
                                  quoted: true, column: fields.count, endKnown: false)
                }
            }
            // Unquoted field.
            while true {
                guard let byte = try stream.next() else { finishField(); break fieldLoop }
                rowBytes += 1
                switch byte {
                case separator: finishField(); continue fieldLoop
                case 0x0A: finishField(); break fieldLoop
                case 0x0D where try stream.peek() == 0x0A: _ = try stream.next(); finishField(); break fieldLoop
                case UInt8(ascii: "\""):
                    return RawRow(line: line, result: .failure(QRCertError(
                        .records, "REC_BAD_QUOTE", "field \(fields.count + 1) has a quote inside an unquoted value")),
                                  quoted: anyQuoted, column: fields.count, endKnown: false)
                default:
                    if field.count < limits.maxFieldBytes { field.append(byte) } else {
                        fail(QRCertError(.records, "REC_FIELD_TOO_LONG", "field \(fields.count + 1) is longer than \(limits.maxFieldBytes) bytes"), column: fields.count)
                    }
                }
                if rowBytes > limits.maxRowBytes {
                    // Read on to the row's real end (quotes included); nothing more is kept.
                    fail(QRCertError(.records, "REC_ROW_TOO_LONG", "row is longer than \(limits.maxRowBytes) bytes"))
                }
            }
        }
        if let failure { return RawRow(line: line, result: .failure(failure), quoted: anyQuoted, column: failedColumn) }
        return RawRow(line: line, result: .success(fields), quoted: anyQuoted)
    }
}

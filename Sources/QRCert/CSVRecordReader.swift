import Foundation
import QRCertFormat

/// RFC 4180 CSV, streamed: quoted fields with embedded commas, quotes and newlines, CRLF or LF,
/// an optional UTF-8 byte order mark. The first row names the fields.
///
/// A malformed or ragged row is rejected on its own and reading goes on with the next line;
/// an unterminated quote at the end of the file is rejected too (nothing after it is lost, there is nothing after it).
public struct CSVRecordReader: RecordReader {
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

    /// A reader over `handle`; `source` names it in messages.
    public init(handle: FileHandle, source: String, limits: Limits = .standard) {
        self.stream = ByteStream(handle: handle)
        self.source = source
        self.limits = limits
    }

    /// The header's field names, once read.
    public var fieldNames: [String]? { header }

    /// Input bytes consumed so far.
    public var bytesRead: Int { stream.offset }

    public mutating func next() throws(QRCertError) -> RecordReadResult? {
        if header == nil {
            try skipByteOrderMark()
            guard let first = try readRow() else {
                throw QRCertError(.records, "REC_EMPTY_INPUT", "\(source): no header row", hint: "the first line must name the fields")
            }
            switch first.result {
            case .failure(let error):
                throw error.located("\(source):\(first.line)")
            case .success(let names):
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
                header = names.map { $0.trimmingCharacters(in: .whitespaces) }
                headerLine = first.line
            }
        }
        guard let header else { return nil }
        while let raw = try readRow() {
            switch raw.result {
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
    }

    /// Reads one physical record (which may span lines inside quotes). Nil at the end of input.
    private func readRow() throws(QRCertError) -> RawRow? {
        guard try stream.peek() != nil else { return nil }
        let line = stream.line
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
                case UInt8(ascii: ","): finishField(); continue fieldLoop
                case 0x0A: finishField(); break fieldLoop
                case 0x0D where try stream.peek() == 0x0A: _ = try stream.next(); finishField(); break fieldLoop
                default:
                    fail(QRCertError(.records, "REC_BAD_QUOTE", "field \(fields.count + 1) has text after its closing quote"), column: fields.count)
                    try skipLine()
                    break fieldLoop
                }
            }
            // Unquoted field.
            while true {
                guard let byte = try stream.next() else { finishField(); break fieldLoop }
                rowBytes += 1
                switch byte {
                case UInt8(ascii: ","): finishField(); continue fieldLoop
                case 0x0A: finishField(); break fieldLoop
                case 0x0D where try stream.peek() == 0x0A: _ = try stream.next(); finishField(); break fieldLoop
                case UInt8(ascii: "\""):
                    fail(QRCertError(.records, "REC_BAD_QUOTE", "field \(fields.count + 1) has a quote inside an unquoted value"), column: fields.count)
                    try skipLine()
                    break fieldLoop
                default:
                    if field.count < limits.maxFieldBytes { field.append(byte) } else {
                        fail(QRCertError(.records, "REC_FIELD_TOO_LONG", "field \(fields.count + 1) is longer than \(limits.maxFieldBytes) bytes"), column: fields.count)
                    }
                }
                if rowBytes > limits.maxRowBytes {
                    fail(QRCertError(.records, "REC_ROW_TOO_LONG", "row is longer than \(limits.maxRowBytes) bytes"))
                    try skipLine()
                    break fieldLoop
                }
            }
        }
        if let failure { return RawRow(line: line, result: .failure(failure), quoted: anyQuoted, column: failedColumn) }
        return RawRow(line: line, result: .success(fields), quoted: anyQuoted)
    }

    private func skipLine() throws(QRCertError) {
        while let byte = try stream.next(), byte != 0x0A {}
    }
}

import QRCertFormat

/// One input record as read, before the profile checks it.
public struct RecordRow: Sendable, Equatable {
    /// Where it came from, for messages: the file name or `<stdin>`.
    public var source: String
    /// 1-based line where the record starts (JSON: the line of its opening brace).
    public var line: Int
    /// Field names and values in input order. JSON `null` becomes an empty value.
    public var fields: [(name: String, value: String)]

    /// Creates a row.
    public init(source: String, line: Int, fields: [(name: String, value: String)]) {
        self.source = source
        self.line = line
        self.fields = fields
    }

    /// The value of `name`, if present.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// `FILE:LINE`.
    public var location: String { "\(source):\(line)" }

    public static func == (a: RecordRow, b: RecordRow) -> Bool {
        a.source == b.source && a.line == b.line && a.fields.elementsEqual(b.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A row that could not be read or did not pass its profile: where, which field, why.
public struct RejectedRow: Error, Sendable, Equatable {
    /// `FILE`.
    public var source: String
    /// 1-based line.
    public var line: Int
    /// The field at fault, when one is.
    public var field: String?
    /// The record id, when it could be read.
    public var id: String?
    /// What is wrong; its message does not repeat the location.
    public var error: QRCertError

    /// Creates a rejection.
    public init(source: String, line: Int, field: String?, id: String? = nil, error: QRCertError) {
        self.source = source
        self.line = line
        self.field = field
        self.id = id
        self.error = error
    }

    /// `FILE:LINE: FIELD: reason [CODE]`, the form printed on stderr.
    public var description: String {
        "\(source):\(line): \(field.map { "\($0): " } ?? "")\(error.message) [\(error.code)]"
    }
}

/// What a record reader yields: a row, or a row-level failure after which reading goes on.
public enum RecordReadResult: Sendable, Equatable {
    /// A well-formed row.
    case row(RecordRow)
    /// A malformed row; the reader has skipped past it.
    case rejected(RejectedRow)
}

/// A stream of records from CSV, a JSON array or JSON Lines.
public protocol RecordReader {
    /// The next row or rejection, nil at the end. Throws only when reading cannot go on (I/O, or an unrecoverable syntax error).
    mutating func next() throws(QRCertError) -> RecordReadResult?
    /// Input bytes consumed so far (for progress against a file's size).
    var bytesRead: Int { get }
    /// Checks what the input says of itself before any row (a CSV header against `profile`).
    /// Throws when no row can be read right; readers without a header check nothing.
    mutating func start(checking profile: Profile) throws(QRCertError)
}

extension RecordReader {
    /// Nothing to check before the first record.
    public mutating func start(checking profile: Profile) throws(QRCertError) {}
}

import Foundation
import QRCert

/// One structured log line on stderr: `qrcert-serve: 2026-12-02T02:10:00Z EVENT key=value ...`.
///
/// Values come from clients (paths, content types) and from files (list names, error messages): each is
/// passed through `DisplayText.escaped` (nothing unverified reaches a terminal raw) and quoted when it
/// holds a space, a quote or an equals sign, so that a line splits back into its fields.
struct LogLine {
    private var text: String

    /// A line for `event` (one word), stamped with the wall-clock time.
    init(_ event: String) {
        text = "qrcert-serve: \(Timestamp.iso(Int64(Date().timeIntervalSince1970))) \(event)"
    }

    /// Adds `key=value`.
    func with(_ key: String, _ value: String) -> LogLine {
        var line = self
        line.text += " \(key)=\(Self.field(value))"
        return line
    }

    /// Adds `key=value` for a number.
    func with(_ key: String, _ value: Int) -> LogLine { with(key, String(value)) }

    /// Writes the line to stderr in one write (lines from several threads never interleave).
    func write() { LogLine.raw(text) }

    /// A fixed line of the server's own (the `listening on` line tests read), written as it is.
    static func raw(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `value` escaped for a terminal, and quoted (with `\"` and `\\`) when it would not read back as one field.
    static func field(_ value: String) -> String {
        let escaped = DisplayText.escaped(value)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" }) else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

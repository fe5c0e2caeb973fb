import Foundation

/// Names and reasons written into signed lists, as a person reads them on a verdict.
enum ListText {
    /// `text` trimmed and in NFC, or nil when empty, longer than 200 bytes, or holding a control, format (bidi) or line-separator
    /// character (a line break, escape or override would let one entry forge the look of another line of output).
    static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200,
              !DisplayText.containsUnsafe(trimmed) else { return nil }
        return trimmed
    }
}

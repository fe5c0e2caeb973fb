import Foundation

/// Names and reasons written into signed lists, as a person reads them on a verdict.
enum ListText {
    /// `text` trimmed and in NFC, or nil when empty, longer than 200 bytes, or holding a control character
    /// (a line break or escape would let one entry forge the look of another line of output).
    static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200,
              !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return trimmed
    }
}

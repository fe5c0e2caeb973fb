import Foundation

/// The text operations every field of every record goes through (NFC, trimming, the control-character check),
/// with fast paths for the text records actually hold: Foundation's versions bridge through UTF-16 and were a
/// third of the reading thread's time on a million licences (docs/PERFORMANCE.md). Results are those of the
/// general versions, which still handle everything else.
enum FieldText {
    /// `text` in Unicode Normalization Form C.
    ///
    /// Text made only of scalars below U+0300 and of Latin Extended Additional (U+1E00-U+1EFF, every
    /// precomposed Vietnamese letter) is already NFC: each of those scalars is NFC-stable with combining class 0
    /// and no two of them compose (checked for every scalar and every pair with Python's unicodedata).
    static func nfc(_ text: String) -> String {
        for scalar in text.unicodeScalars where !(scalar.value < 0x300 || (0x1E00...0x1EFF).contains(scalar.value)) {
            return text.precomposedStringWithCanonicalMapping
        }
        return text
    }

    /// Whether `text` is in NFC, scalar for scalar (Swift's `==` compares canonical equivalence, so an NFD
    /// string would equal its NFC form).
    static func isNFC(_ text: String) -> Bool {
        // The text `nfc` returns unchanged is NFC: only other text is normalised and compared.
        for scalar in text.unicodeScalars where !(scalar.value < 0x300 || (0x1E00...0x1EFF).contains(scalar.value)) {
            return text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(text.utf8)
        }
        return true
    }

    /// `text` without leading and trailing white space (`CharacterSet.whitespaces`: tab and the space separators).
    static func trimmed(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return text }
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || (scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator)
        }
        guard isSpace(first) || isSpace(last) else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Whether `text` holds a character the issuer refuses and no screen shows raw: a control, format (bidi)
    /// or line-separator character (`DisplayText.isUnsafe`).
    static func hasControlCharacter(_ text: String) -> Bool { DisplayText.containsUnsafe(text) }
}

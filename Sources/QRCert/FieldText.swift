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

extension FieldText {
    /// What the verifier's text rules ask of a value, found in one pass over its UTF-8 (or its VISCII bytes) with
    /// no copy: the rules of `isNFC`, `trimmed` and `hasControlCharacter` and the VISCII-form check, each answered
    /// exactly as those functions answer it (`FieldTextTests` feeds every class they reject through both). Only
    /// text the fast answers cannot settle (a scalar outside the NFC-stable ranges, white space at an edge) goes to
    /// the general functions.
    struct Facts {
        /// Number of UTF-8 bytes of the text.
        var utf8Count = 0
        /// Whether a character is unsafe on a screen (`DisplayText.isUnsafe`): `hasControlCharacter`.
        var hasControlCharacter = false
        /// Whether every byte is ASCII.
        var isASCII = true
        /// Whether every scalar has a VISCII code: `VISCII.encode` would give bytes.
        var hasVISCIICodes = true
        /// Whether every scalar is below U+0300 or Latin Extended Additional: then the text is NFC (`isNFC`).
        var isNFCStable = true
        /// Whether the first or the last scalar is white space as `trimmed` sees it: only then can trimming change it.
        var hasEdgeSpace = false

        /// The facts of the empty text.
        init() {}

        /// The facts of `text`.
        init(_ text: String) {
            if let facts = text.utf8.withContiguousStorageIfAvailable({ Facts(utf8: $0) }) {
                self = facts
            } else {
                var text = text
                self = text.withUTF8 { Facts(utf8: $0) }
            }
        }

        private init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
            let n = bytes.count
            utf8Count = n
            guard n > 0 else { return }
            var i = 0
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while i < n {
                // Eight bytes at a time while they are printable ASCII (no high bit, none below 0x20, none 0x7F: each test
                // is exact about whether some byte of the word has the property).
                if i + 8 <= n {
                    let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
                    let del = word ^ (ones &* 0x7F)
                    if word & high == 0 && (word &- ones &* 0x20) & ~word & high == 0 && (del &- ones) & ~del & high == 0 {
                        i += 8
                        continue
                    }
                }
                let b0 = bytes[i]
                if b0 < 0x80 {
                    // ASCII: printable ASCII has a VISCII code and is NFC-stable; only controls need a look.
                    if b0 < 0x20 || b0 == 0x7F { note(UInt32(b0)) }
                    i += 1
                    continue
                }
                isASCII = false
                let (value, length) = Self.scalar(bytes, at: i)
                note(value)
                i += length
            }
            // The first scalar, and the last (found by stepping back over continuation bytes).
            var start = n - 1
            while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
            if Self.isSpace(Self.scalar(bytes, at: 0).value) || Self.isSpace(Self.scalar(bytes, at: start).value) {
                hasEdgeSpace = true
            }
        }

        /// The scalar whose UTF-8 starts at `i` (a Swift string is valid UTF-8), and its length in bytes.
        private static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
            let b0 = bytes[i]
            if b0 < 0x80 { return (UInt32(b0), 1) }
            let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
            guard i + length <= bytes.count else { return (0xFFFD, bytes.count - i) }
            var value = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
            return (value, length)
        }

        private mutating func note(_ value: UInt32) {
            if DisplayText.isUnsafe(value) { hasControlCharacter = true }
            if !VISCII.hasCode(value) { hasVISCIICodes = false }
            if !Self.isNFCStable(value) { isNFCStable = false }
        }

        /// Whether a text made of scalars like `value` is NFC without normalising it (see `FieldText.nfc`).
        static func isNFCStable(_ value: UInt32) -> Bool { value < 0x300 || (0x1E00...0x1EFF).contains(value) }

        /// `trimmed`'s white space: tab and the space separators (general category Zs).
        static func isSpace(_ value: UInt32) -> Bool {
            if value < 0x80 { return value == 0x20 || value == 0x09 }
            // No space separator lies between U+00A0 and U+1680, nor among the Vietnamese letters (FieldTextTests
            // checks this against the platform's table for every scalar): no property look-up for them.
            if (value > 0xA0 && value < 0x1680) || (0x1E00...0x1EFF).contains(value) { return false }
            guard let scalar = Unicode.Scalar(value) else { return false }
            return scalar.properties.generalCategory == .spaceSeparator
        }
    }

    /// Whether `text`, with facts `facts`, is NFC (`isNFC`, normalising only what the fast answer cannot settle).
    static func isNFC(_ text: String, _ facts: Facts) -> Bool { facts.isNFCStable || isNFC(text) }

    /// Whether `text`, with facts `facts`, is trimmed (`trimmed(text) == text`, trimming only text with white space at an edge).
    static func isTrimmed(_ text: String, _ facts: Facts) -> Bool { !facts.hasEdgeSpace || trimmed(text) == text }
}

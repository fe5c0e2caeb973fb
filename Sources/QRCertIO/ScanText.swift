import Foundation

/// What scanners do to text, undone: surrounding spaces and CR/LF, and Caps Lock (Base45 and the prefixes
/// are upper case only, so upper-casing ASCII letters is safe). Nothing else is changed: any other character
/// reaches the decoder and is rejected there with its stage and code.
public enum ScanText {
    /// `text` as the decoder wants it: trimmed, ASCII letters upper-cased.
    public static func normalize(_ text: String) -> String {
        // Fast path for the usual scan, plain ASCII: Foundation's trimming bridges through UTF-16 and took
        // a fifth of `verify -`'s time on 100,000 payloads (docs/PERFORMANCE.md).
        if let ascii = normalizeASCII(text) { return ascii }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var out = String.UnicodeScalarView()
        for scalar in trimmed.unicodeScalars {
            if scalar.value >= 0x61 && scalar.value <= 0x7A, let upper = Unicode.Scalar(scalar.value - 0x20) {
                out.append(upper)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether nothing is left of `text` once normalised (a blank scan), without building it for ASCII text.
    public static func isBlank(_ text: String) -> Bool {
        for byte in text.utf8 {
            if byte >= 0x80 { return normalize(text).isEmpty }
            if !isSpace(byte) { return false }  // an ASCII character that is not white space is never trimmed
        }
        return true
    }

    /// The ASCII white space that `.whitespacesAndNewlines` trims: space, tab, LF, VT, FF, CR.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// `normalize` for ASCII text; nil when `text` has any other byte, so that the general path decides.
    /// A scan that needs no change (the usual one) is returned as it is, without a copy.
    private static func normalizeASCII(_ text: String) -> String? {
        let utf8 = text.utf8
        var unchanged = !(utf8.first.map(isSpace) ?? false) && !(utf8.last.map(isSpace) ?? false)
        for byte in utf8 {
            if byte >= 0x80 { return nil }
            if byte >= 0x61 && byte <= 0x7A { unchanged = false }
        }
        if unchanged { return text }
        var bytes = Array(utf8)
        let end = (bytes.lastIndex { !isSpace($0) } ?? -1) + 1
        let start = bytes.firstIndex { !isSpace($0) } ?? end
        for i in start..<end where bytes[i] >= 0x61 && bytes[i] <= 0x7A { bytes[i] -= 0x20 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

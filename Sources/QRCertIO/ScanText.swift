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

    /// The scanned line `bytes` (UTF-8, without its LF) normalised as `normalize` does, or nil when nothing is left
    /// (a blank scan). ASCII, the usual scan, becomes its string in one copy, trimmed and upper-cased on the way;
    /// other text (invalid UTF-8 replaced, as `String(decoding:as:)` does) takes `normalize`.
    public static func payload(_ bytes: UnsafeRawBufferPointer) -> String? {
        let n = bytes.count
        var start = 0, end = n
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else {
            // All ASCII white space, or nothing: blank. A non-ASCII byte there would have stopped the trim.
            return nil
        }
        var ascii = true, lower = false
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= end {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & highs != 0 { ascii = false; break }
            // A byte in a-z (0x61-0x7A): at least 0x61 and at most 0x7A, seven-bit bytes (no borrow between them).
            let atLeast = (word | highs) &- ones &* 0x61
            let below = (ones &* (0x7A + 0x80)) &- word
            if atLeast & below & highs != 0 { lower = true }
            i += 8
        }
        if ascii {
            while i < end {
                let byte = bytes[i]
                if byte >= 0x80 { ascii = false; break }
                if byte &- 0x61 < 26 { lower = true }
                i += 1
            }
        }
        guard ascii else {
            let text = normalize(String(decoding: bytes, as: UTF8.self))
            return text.isEmpty ? nil : text
        }
        let length = end - start
        guard lower else { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
        return String(unsafeUninitializedCapacity: length) { out in
            for k in 0..<length {
                let byte = bytes[start + k]
                out[k] = byte &- 0x61 < 26 ? byte - 0x20 : byte
            }
            return length
        }
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
        var text = text
        // One pass over the contiguous bytes (iterating the UTF-8 view was a sixth of the Swift time per payload).
        let scan: (ascii: Bool, unchanged: Bool) = text.withUTF8 { bytes in
            var unchanged = !(bytes.first.map(isSpace) ?? false) && !(bytes.last.map(isSpace) ?? false)
            for byte in bytes {
                if byte >= 0x80 { return (false, false) }
                if byte &- 0x61 < 26 { unchanged = false }
            }
            return (true, unchanged)
        }
        guard scan.ascii else { return nil }
        if scan.unchanged { return text }
        var bytes = Array(text.utf8)
        let end = (bytes.lastIndex { !isSpace($0) } ?? -1) + 1
        let start = bytes.firstIndex { !isSpace($0) } ?? end
        for i in start..<end where bytes[i] >= 0x61 && bytes[i] <= 0x7A { bytes[i] -= 0x20 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// Text for a person's screen: the one escape every human-readable output applies at render time
/// (verify, inspect, issue's diagnostics, trust-list and revoke output; a later HTTP page too), and the
/// one definition of the characters the issuer refuses in the text it signs.
///
/// Unsafe characters are those that can move the cursor, rewrite the screen or reorder what a person
/// reads: general category Cc (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F), Cf (format controls:
/// the bidi embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, marks U+200E/U+200F and
/// U+061C, zero-width characters, U+FEFF, soft hyphen ...), and the line and paragraph separators
/// U+2028/U+2029 (Zl, Zp). docs/FORMAT.md §4.7 states the same list.
public enum DisplayText {
    /// `text` with every unsafe character shown as `\u{HEX}` (lower-case hex, no padding), and nothing else
    /// changed. ASCII text without controls (nearly every message) is returned as is without a copy.
    public static func escaped(_ text: String) -> String {
        guard containsUnsafe(text) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `escaped(text)`'s UTF-8 appended to `out`, with no string built: safe runs are copied as they are, eight
    /// printable ASCII bytes at a time, and each unsafe scalar is written as `\u{HEX}` (the card writes every
    /// value of every verdict this way).
    public static func write(_ text: String, into out: WriteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            let n = bytes.count
            var i = 0, run = 0
            func flush(to end: Int) {
                if end > run { out.append(UnsafeRawBufferPointer(start: base + run, count: end - run)) }
            }
            func escape(_ value: UInt32, length: Int) {
                flush(to: i)
                out.append("\\u{")
                var shift = 28
                while shift > 0 && value >> UInt32(shift) == 0 { shift -= 4 }
                while shift >= 0 {
                    out.append(Hex.digits[Int(value >> UInt32(shift) & 15)])
                    shift -= 4
                }
                out.append(UInt8(ascii: "}"))
                run = i + length
            }
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while i < n {
                if i + 8 <= n {
                    // No byte with the high bit set, below 0x20 or equal to 0x7F: eight safe characters.
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let below = (word &- ones &* 0x20) & ~word & highs
                    let delete = word ^ (ones &* 0x7F)
                    if (word & highs) | below | ((delete &- ones) & ~delete & highs) == 0 {
                        i += 8
                        continue
                    }
                }
                let b0 = base[i]
                if b0 < 0x80 {
                    if b0 < 0x20 || b0 == 0x7F { escape(UInt32(b0), length: 1) }
                    i += 1
                    continue
                }
                // A Swift string is valid UTF-8: the scalar from its lead byte and continuation bytes.
                let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
                guard i + length <= n else { break }
                var value = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in 1..<length { value = value << 6 | UInt32(base[i + k] & 0x3F) }
                if isUnsafe(value) { escape(value, length: length) }
                i += length
            }
            flush(to: n)
        }
    }

    /// Whether `text` holds an unsafe character: one pass over its UTF-8, no Unicode property look-up (this runs
    /// on every field of every record issued and every line of every verdict).
    public static func containsUnsafe(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            while i < n {
                let b0 = bytes[i]
                if b0 < 0x80 {
                    if b0 < 0x20 || b0 == 0x7F { return true }
                    i += 1
                    continue
                }
                // A Swift string is valid UTF-8: decode the scalar from its lead byte and continuation bytes.
                var value: UInt32
                let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
                guard i + length <= n else { return false }
                value = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
                if isUnsafe(value) { return true }
                i += length
            }
            return false
        }
    }

    /// Whether `scalar` is unsafe on a screen (Cc, Cf, Zl or Zp).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { isUnsafe(scalar.value) }

    /// The scalars of general category Cc, Cf, Zl and Zp in Unicode 15 (the same list as docs/FORMAT.md §4.7),
    /// written out so the rule does not move with the platform's Unicode tables; `DisplayTextTests` checks it
    /// against the platform's.
    public static func isUnsafe(_ value: UInt32) -> Bool {
        if value < 0xA0 { return value < 0x20 || value >= 0x7F }
        if value < 0x600 { return value == 0xAD }  // Latin, Greek, Cyrillic, Hebrew: only the soft hyphen
        if value >= 0x1E00 && value < 0x2000 { return false }  // Vietnamese letters (Latin Extended Additional), Greek
        switch value {
        case 0x600...0x605, 0x61C, 0x6DD, 0x70F, 0x890...0x891, 0x8E2, 0x180E,
             0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF, 0xFFF9...0xFFFB,
             0x110BD, 0x110CD, 0x13430...0x1343F, 0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0001, 0xE0020...0xE007F:
            return true
        default:
            return false
        }
    }
}

/// Text for a person's screen: the one escape every human-readable output applies at render time
/// (verify, inspect, issue's diagnostics, trust-list and revoke output; a later HTTP page too), and the
/// one definition of the characters the issuer refuses in the text it signs.
///
/// Unsafe characters are those that can move the cursor, rewrite the screen or reorder what a person
/// reads: general category Cc (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F), Cf (format controls:
/// the bidi embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, marks U+200E/U+200F and
/// U+061C, zero-width characters, U+FEFF, soft hyphen ...), and the line and paragraph separators
/// U+2028/U+2029 (Zl, Zp). docs/FORMAT.md §4.5 states the same list.
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

    /// Whether `text` holds an unsafe character.
    public static func containsUnsafe(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F { return true }
            if byte >= 0x80 { ascii = false }
        }
        return ascii ? false : text.unicodeScalars.contains(where: isUnsafe)
    }

    /// Whether `scalar` is unsafe on a screen (Cc, Cf, Zl or Zp).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || value == 0x7F { return true }
        if value < 0x7F { return false }
        // Latin-1 and Latin Extended (every Vietnamese letter, precomposed or with combining marks) hold no
        // format character but the soft hyphen: skip the property lookup for them.
        if value > 0x9F && value < 0x0600 { return value == 0xAD }
        if (0x1E00...0x1EFF).contains(value) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}

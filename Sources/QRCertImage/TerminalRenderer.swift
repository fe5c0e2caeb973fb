/// Draws QR symbols as text for a terminal.
public enum TerminalRenderer {
    /// The symbol drawn with Unicode half blocks (two module rows per text line), with a quiet zone of
    /// `margin` modules, scannable from a screen. Lines are separated by `"\n"`, with no final newline.
    ///
    /// By default the blocks (the terminal's text colour) draw the light modules and the quiet zone, which
    /// suits the usual light text on a dark background; `invert: true` draws the dark modules instead,
    /// for dark text on a light background. Because a symbol has an odd number of rows, the last line's
    /// lower half is one more half row of quiet zone.
    public static func render(_ code: QRCode, margin: Int = 2, invert: Bool = false) -> String {
        let margin = max(0, margin)
        let first = -margin
        let last = code.size + margin  // exclusive
        // Blocks are drawn where the module's colour equals `ink`; outside the symbol is light.
        func ink(_ x: Int, _ y: Int) -> Bool {
            let dark = y < last && code.isDark(x: x, y: y)
            return dark == invert
        }
        var lines: [String] = []
        lines.reserveCapacity((last - first + 1) / 2)
        var y = first
        while y < last {
            var line = ""
            line.unicodeScalars.reserveCapacity(last - first)
            for x in first..<last {
                switch (ink(x, y), ink(x, y + 1)) {
                case (true, true): line.unicodeScalars.append("\u{2588}")   // full block
                case (true, false): line.unicodeScalars.append("\u{2580}")  // upper half block
                case (false, true): line.unicodeScalars.append("\u{2584}")  // lower half block
                case (false, false): line.unicodeScalars.append(" ")
                }
            }
            lines.append(line)
            y += 2
        }
        return lines.joined(separator: "\n")
    }
}

import QRCert

/// ANSI styles for text a person reads on a terminal; `Style(enabled: false)` for pipes and logs.
public struct Style: Sendable {
    /// Whether escapes are written at all (a terminal, and NO_COLOR unset).
    public let enabled: Bool

    /// Styles that write escapes only when `enabled`.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Bold.
    public func bold(_ s: String) -> String { enabled ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    /// White on green: VALID.
    public func green(_ s: String) -> String { enabled ? "\u{1B}[1;97;42m\(s)\u{1B}[0m" : s }
    /// White on red: INVALID.
    public func red(_ s: String) -> String { enabled ? "\u{1B}[1;97;41m\(s)\u{1B}[0m" : s }
    /// Black on yellow: no code read.
    public func yellow(_ s: String) -> String { enabled ? "\u{1B}[1;30;43m\(s)\u{1B}[0m" : s }
    /// Faint: details.
    public func dim(_ s: String) -> String { enabled ? "\u{1B}[2m\(s)\u{1B}[0m" : s }

    /// `dim(s)` followed, inside the same span, by `padding` spaces, appended to `out` as UTF-8.
    public func dim(_ s: String, padding: Int, into out: inout [UInt8]) {
        if enabled { out.append(contentsOf: "\u{1B}[2m".utf8) }
        out.append(contentsOf: s.utf8)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        if enabled { out.append(contentsOf: "\u{1B}[0m".utf8) }
    }

    /// `bold(s)` appended to `out` as UTF-8.
    public func bold(_ s: String, into out: inout [UInt8]) {
        if enabled { out.append(contentsOf: "\u{1B}[1m".utf8) }
        out.append(contentsOf: s.utf8)
        if enabled { out.append(contentsOf: "\u{1B}[0m".utf8) }
    }

    /// The styles, for writing into a `WriteBuffer`.
    public enum Span: Sendable {
        /// `bold`.
        case bold
        /// `green`: VALID.
        case green
        /// `red`: INVALID.
        case red
        /// `yellow`: no code read.
        case yellow
        /// `dim`: details.
        case dim
    }

    /// The escape that starts `span` (when enabled).
    private static func code(_ span: Span) -> StaticString {
        switch span {
        case .bold: "\u{1B}[1m"
        case .green: "\u{1B}[1;97;42m"
        case .red: "\u{1B}[1;97;41m"
        case .yellow: "\u{1B}[1;30;43m"
        case .dim: "\u{1B}[2m"
        }
    }

    /// Starts `span` in `out` (nothing when not enabled).
    public func open(_ span: Span, into out: WriteBuffer) {
        if enabled { out.append(Self.code(span)) }
    }

    /// Ends the span `open` started (nothing when not enabled).
    public func close(_ span: Span, into out: WriteBuffer) {
        if enabled { out.append("\u{1B}[0m") }
    }

    /// `s` in `span`, followed inside it by `padding` spaces, appended to `out` as UTF-8 (the string forms'
    /// bytes, with no string built).
    public func write(_ s: String, _ span: Span, padding: Int = 0, into out: WriteBuffer) {
        open(span, into: out)
        out.append(utf8: s)
        out.append(repeating: UInt8(ascii: " "), count: padding)
        close(span, into: out)
    }
}

/// How codes are placed on paper (docs/PRINT.md).
public enum PrintLayout: String, Sendable, CaseIterable {
    /// One ISO/IEC 7810 ID-1 card (85.60 x 53.98 mm) per credential: the code and the fields beside it.
    case card
    /// A4 pages holding a grid of codes with captions and cut marks, for label stock.
    case sheet
    /// An A4 page with the code and a one-line caption at a given place, to overlay on a result document.
    case stamp
}

/// The vector formats cairo writes.
public enum PrintFormat: String, Sendable, CaseIterable {
    /// PDF 1.5 (cairo): text stays text, fonts embedded as subsets.
    case pdf
    /// SVG 1.1 (cairo): one page; text drawn as glyph outlines.
    case svg
}

/// A page size in millimetres.
public struct PageSize: Sendable, Equatable {
    /// Width in mm.
    public var width: Double
    /// Height in mm.
    public var height: Double

    /// ISO/IEC 7810 ID-1, the size of a bank card and of the Vietnamese driving licence card.
    public static let id1 = PageSize(width: 85.60, height: 53.98)
    /// ISO 216 A4, portrait.
    public static let a4 = PageSize(width: 210, height: 297)
}

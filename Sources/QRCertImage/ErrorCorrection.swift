/// A QR error-correction level: the share of codewords that can be restored
/// (L about 7%, M 15%, Q 25%, H 30%). Higher levels make a larger symbol for the same text.
public enum ErrorCorrection: String, Sendable, CaseIterable {
    /// About 7% of codewords can be restored.
    case L
    /// About 15% of codewords can be restored.
    case M
    /// About 25% of codewords can be restored.
    case Q
    /// About 30% of codewords can be restored.
    case H

    /// The most characters of one alphanumeric segment a version 40 symbol holds at this level (ISO/IEC 18004
    /// Table 7): 4 mode bits, a 13-bit count and 11 bits per pair of characters within its data bits.
    public var alphanumericCapacity: Int {
        switch self {
        case .L: 4296
        case .M: 3391
        case .Q: 2420
        case .H: 1852
        }
    }
}

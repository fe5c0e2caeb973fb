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
}

/// Output forms of `issue`.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// A PNG per record plus the manifest.
    case png
    /// The QR texts on stdout, one per line.
    case payload
    /// Print layouts at physical size as PDF (docs/PRINT.md).
    case pdf
    /// Print layouts at physical size as SVG.
    case svg
}

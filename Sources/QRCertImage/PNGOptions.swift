/// How `PNGRenderer` draws a symbol.
public struct PNGOptions: Sendable {
    /// Pixels per module, 1...64.
    public var moduleSize: Int = 4
    /// Quiet zone in modules on each side; the QR specification asks for at least 4 (enforced by the caller).
    public var margin: Int = 4
    /// zlib level 0...9. The default was chosen by measurement, see docs/PNG.md.
    public var compressionLevel: Int32 = PNGRenderer.defaultCompressionLevel

    /// Options with the given module size and margin and the measured default compression.
    public init(moduleSize: Int = 4, margin: Int = 4) {
        self.moduleSize = moduleSize
        self.margin = margin
    }
}

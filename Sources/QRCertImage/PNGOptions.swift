/// How `PNGRenderer` draws a symbol.
public struct PNGOptions: Sendable {
    /// Pixels per module, 1...64.
    public var moduleSize: Int = 4
    /// Quiet zone in modules on each side; the QR specification asks for at least 4 (enforced by the caller).
    public var margin: Int = 4
    /// zlib level 0...9. The default was chosen by measurement, see docs/PNG.md.
    public var compressionLevel: Int32 = PNGRenderer.defaultCompressionLevel
    /// Physical resolution written in the pHYs chunk, pixels per metre; 0 writes none (the size is then up to
    /// whoever prints it). `moduleSize` pixels per `mm` millimetres: `moduleSize * 1000 / mm`.
    public var pixelsPerMetre: UInt32 = 0

    /// Options with the given module size and margin and the measured default compression.
    public init(moduleSize: Int = 4, margin: Int = 4) {
        self.moduleSize = moduleSize
        self.margin = margin
    }

    /// Options whose pHYs chunk makes each module `millimetres` wide on paper.
    public init(moduleSize: Int, margin: Int, moduleMillimetres millimetres: Double) {
        self.init(moduleSize: moduleSize, margin: margin)
        pixelsPerMetre = UInt32((Double(moduleSize) * 1000 / millimetres).rounded())
    }
}

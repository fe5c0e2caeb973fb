import QRCertPrint

/// What the worker made of one record: the file's path in the output folder, its QR version and size; for print
/// formats the module size, and for a sheet the item the sink places (docs/PRINT.md).
public struct Rendered: Sendable {
    /// The file's path inside the output folder; nil for payload lines and sheet items.
    public let file: String?
    /// The QR version drawn.
    public let version: Int?
    /// The file's size in bytes.
    public let bytes: Int?
    /// The printed module size in millimetres (print formats).
    public var moduleMM: Double? = nil
    /// A sheet's item, placed by the sink.
    public var item: PrintItem? = nil

    /// A record's product.
    public init(file: String?, version: Int?, bytes: Int?, moduleMM: Double? = nil, item: PrintItem? = nil) {
        self.file = file
        self.version = version
        self.bytes = bytes
        self.moduleMM = moduleMM
        self.item = item
    }
}

/// One QR code found in an image.
public struct DecodedSymbol: Sendable, Equatable {
    /// The symbol's content, its bytes read as UTF-8.
    public let text: String
    /// Centre (pixels) of the symbol's location polygon: the middle of its bounding box.
    public let x: Int, y: Int
    /// Width and height (pixels) of the location polygon's bounding box.
    public let width: Int, height: Int

    /// A symbol with the given content and location.
    public init(text: String, x: Int, y: Int, width: Int, height: Int) {
        self.text = text
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

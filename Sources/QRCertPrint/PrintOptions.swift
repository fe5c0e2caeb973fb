/// Physical settings shared by every layout.
public struct PrintOptions: Sendable, Equatable {
    /// How the code's size is given.
    public enum Size: Sendable, Equatable {
        /// Each module this many millimetres wide.
        case module(Double)
        /// The symbol (without its quiet zone) this many millimetres wide; the module size follows from its version.
        case code(Double)
    }

    /// The code's size.
    public var size: Size
    /// Print modules below `ModuleRules.minimum` anyway (the operator has tested the printer and scanners).
    public var force: Bool
    /// Sheet grid: columns and rows of cells on each A4 page.
    public var columns: Int, rows: Int
    /// Stamp position: the top-left corner of the code's quiet zone, mm from the page's top-left corner; nil puts
    /// the stamp at the bottom right, `StampRenderer.edge` from the edges.
    public var stampOrigin: (x: Double, y: Double)?

    /// Options; the defaults are those of `qrcert issue`.
    public init(size: Size = .module(0.5), force: Bool = false, columns: Int = 3, rows: Int = 6,
                stampOrigin: (x: Double, y: Double)? = nil) {
        self.size = size
        self.force = force
        self.columns = columns
        self.rows = rows
        self.stampOrigin = stampOrigin
    }

    public static func == (a: PrintOptions, b: PrintOptions) -> Bool {
        a.size == b.size && a.force == b.force && a.columns == b.columns && a.rows == b.rows
            && a.stampOrigin?.x == b.stampOrigin?.x && a.stampOrigin?.y == b.stampOrigin?.y
    }
}

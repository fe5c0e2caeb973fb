public import QRCertFormat
public import QRCertImage

/// The physical rules every printed code follows: module size and quiet zone (docs/PRINT.md#physical-rules).
public enum ModuleRules {
    /// Smallest module printed without `--force`: 0.33 mm, BSI TR-03137's floor for printed digital seals.
    public static let minimum = 0.33
    /// Below this a warning is given: GS1 asks 0.4 mm and up for codes scanned by the public.
    public static let recommended = 0.40
    /// Largest module accepted (a 60 mm version 1 code has 2.9 mm modules).
    public static let maximum = 5.0
    /// Quiet zone in modules on each side (ISO/IEC 18004 asks 4).
    public static let quietZone = 4

    /// The module size in mm of `code` under `size`; throws `PRINT_MODULE_TOO_SMALL` below `minimum` unless
    /// `force`, and `PRINT_BAD_SIZE` for a size outside what any printer can do.
    public static func moduleSize(of code: QRCode, _ size: PrintOptions.Size, force: Bool) throws(QRCertError) -> Double {
        let mm: Double
        switch size {
        case .module(let m): mm = m
        case .code(let c): mm = c / Double(code.size)
        }
        try check(mm, force: force, code: code, size: size)
        return mm
    }

    /// Checks a module size given up front (`--module-mm`): the same rules, before any record is read.
    public static func check(_ mm: Double, force: Bool) throws(QRCertError) {
        try check(mm, force: force, code: nil, size: .module(mm))
    }

    /// Whether `mm` is below the recommended size (the caller warns once).
    public static func isBelowRecommended(_ mm: Double) -> Bool { mm < recommended - 1e-9 }

    private static func check(_ mm: Double, force: Bool, code: QRCode?, size: PrintOptions.Size) throws(QRCertError) {
        let shown = Self.format(mm)
        let which: String
        if case .code(let c) = size, let code {
            which = "a \(Self.format(c)) mm version \(code.version) code (\(code.size) modules) has \(shown) mm modules"
        } else {
            which = "module size \(shown) mm"
        }
        guard mm.isFinite, mm > 0, mm <= maximum else {
            throw QRCertError(.image, "PRINT_BAD_SIZE", "\(which): outside 0 to \(Self.format(maximum)) mm")
        }
        if mm < minimum - 1e-9 && !force {
            throw QRCertError(.image, "PRINT_MODULE_TOO_SMALL",
                              "\(which), below the \(Self.format(minimum)) mm that printed codes need to scan reliably",
                              hint: "use a larger --module-mm or --code-mm, or --force after testing the printer and scanners")
        }
    }

    /// `0.5` -> "0.50", `12.345` -> "12.35": two decimals, as printed on the margins.
    static func format(_ mm: Double) -> String {
        let hundredths = Int((mm * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}

internal import CCairo
import Foundation
public import QRCertFormat

/// The one font printed text uses, found by fontconfig and held in a private font set, so that output does not
/// depend on the machine's default fonts or fallbacks: DejaVu Sans (Debian `fonts-dejavu-core`), which covers
/// Vietnamese, in book and bold.
///
/// Owns a fontconfig configuration holding only those two files and a pango font map over it. Not thread-safe:
/// each thread takes its own from `TypesetterPool`.
final class Typesetter {
    /// The family every layout asks for.
    static let family = "DejaVu Sans"

    let config: OpaquePointer
    let fontMap: OpaquePointer
    /// The font files in use (for docs and tests).
    let files: [String]

    /// Finds `family` (book and bold) through the system's fontconfig; throws `PRINT_FONT_MISSING` when fontconfig
    /// resolves it to another family (it substitutes silently otherwise).
    init(family: String = Typesetter.family) throws(QRCertError) {
        try Self.loadLibraries()
        var files: [String] = []
        for style in ["Book", "Bold"] {
            files.append(try Self.locate(family: family, style: style))
        }
        guard let config = FcConfigCreate() else {
            throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "FcConfigCreate failed")
        }
        for file in files {
            let added = file.withCString { path in
                path.withMemoryRebound(to: FcChar8.self, capacity: file.utf8.count + 1) { FcConfigAppFontAddFile(config, $0) }
            }
            guard added != 0 else {
                FcConfigDestroy(config)
                throw QRCertError(.image, "PRINT_FONT_MISSING", "fontconfig cannot load \(file)",
                                  hint: "install fonts-dejavu-core (scripts/setup)")
            }
        }
        guard let map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT) else {
            FcConfigDestroy(config)
            throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "pango_cairo_font_map_new_for_font_type failed")
        }
        // The map takes its own reference to the configuration.
        pango_fc_font_map_set_config(qrcert_pango_fc_font_map(map), config)
        self.config = config
        self.fontMap = map
        self.files = files
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(fontMap))
        FcConfigDestroy(config)
    }

    /// Loads cairo, pango and fontconfig (CCairo: dlopen()ed, not linked) the first time; throws
    /// `PRINT_LIBRARY_MISSING` with the loader's message when one is not installed.
    static func loadLibraries() throws(QRCertError) {
        var message = [CChar](repeating: 0, count: 512)
        let count = message.count
        guard message.withUnsafeMutableBufferPointer({ qrcert_print_libraries_load($0.baseAddress, count) }) != 0 else { return }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw QRCertError(.image, "PRINT_LIBRARY_MISSING", "cannot load the print libraries: \(reason)",
                          hint: "install libcairo2, libpangocairo-1.0-0 and libfontconfig1 (scripts/setup)")
    }

    /// The file fontconfig gives for `family:style=STYLE`, if it really is that family.
    private static func locate(family: String, style: String) throws(QRCertError) -> String {
        let missing = QRCertError(.image, "PRINT_FONT_MISSING", "font \(family) \(style) not found by fontconfig",
                                  hint: "install fonts-dejavu-core (scripts/setup)")
        guard let pattern = FcPatternCreate() else { throw missing }
        defer { FcPatternDestroy(pattern) }
        _ = family.withCString { f in f.withMemoryRebound(to: FcChar8.self, capacity: family.utf8.count + 1) { FcPatternAddString(pattern, "family", $0) } }
        _ = style.withCString { s in s.withMemoryRebound(to: FcChar8.self, capacity: style.utf8.count + 1) { FcPatternAddString(pattern, "style", $0) } }
        FcConfigSubstitute(nil, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let match = FcFontMatch(nil, pattern, &result) else { throw missing }
        defer { FcPatternDestroy(match) }
        var found: UnsafeMutablePointer<FcChar8>?
        var file: UnsafeMutablePointer<FcChar8>?
        var foundStyle: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetString(match, "family", 0, &found) == FcResultMatch, let found,
              FcPatternGetString(match, "file", 0, &file) == FcResultMatch, let file,
              FcPatternGetString(match, "style", 0, &foundStyle) == FcResultMatch, let foundStyle else { throw missing }
        let name = String(cString: found), path = String(cString: file), styleName = String(cString: foundStyle)
        guard name == family, styleName == style else { throw missing }
        return path
    }
}

/// Typesetters for any number of threads: each call borrows one (making it the first time a thread needs one).
public final class TypesetterPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Typesetter] = []

    /// A pool; fails with `PRINT_FONT_MISSING` at once rather than at the first record.
    public init() throws(QRCertError) {
        idle.append(try Typesetter())
    }

    /// The font files every layout uses.
    public var fontFiles: [String] {
        lock.lock()
        defer { lock.unlock() }
        return idle.first?.files ?? []
    }

    func with<T>(_ body: (Typesetter) throws(QRCertError) -> T) throws(QRCertError) -> T {
        lock.lock()
        let setter = idle.popLast()
        lock.unlock()
        let typesetter: Typesetter
        if let setter { typesetter = setter } else { typesetter = try Typesetter() }
        defer {
            lock.lock()
            idle.append(typesetter)
            lock.unlock()
        }
        return try body(typesetter)
    }
}

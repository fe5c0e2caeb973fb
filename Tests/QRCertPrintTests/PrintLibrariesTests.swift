import Foundation
import XCTest

/// Sources/CCairo declares the part of cairo, pango and fontconfig that QRCertPrint calls, and loads the libraries
/// at run time, so nothing checks those declarations against the libraries' own when qrcert is built. Here the C
/// compiler does (the toolchain's clang, which builds the C targets): the header is compiled after the system
/// headers (pkg-config's flags) with QRCERT_CCAIRO_CHECK, so that a prototype that differs from the system's is a
/// conflicting declaration, and every constant and struct layout it declares is asserted equal to the system's.
final class PrintLibrariesTests: XCTestCase {
    private static let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CCairo/include/CCairo.h")

    func testDeclarationsAgreeWithTheSystemHeaders() throws {
        let text = try String(contentsOf: Self.header, encoding: .utf8)
        // The constants: one `    NAME = VALUE,` per line inside the header's enums, and PANGO_SCALE.
        var constants: [(String, String)] = []
        for line in text.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            if parts.count == 3, parts[1] == "=", parts[2].hasSuffix(","), line.hasPrefix("    ") {
                constants.append((String(parts[0]), String(parts[2].dropLast())))
            } else if parts.count == 3, parts[0] == "#define", parts[1] == "PANGO_SCALE" {
                constants.append(("PANGO_SCALE", String(parts[2])))
            }
        }
        XCTAssertGreaterThanOrEqual(constants.count, 23, "\(constants)")
        let functions = text.components(separatedBy: "\n").filter { $0.hasPrefix("    F(") || $0.hasPrefix("    V(") }
        XCTAssertGreaterThanOrEqual(functions.count, 70)

        let folder = try Tools.folder(for: self)
        var check = """
        #include <stddef.h>
        #include <cairo.h>
        #include <cairo-pdf.h>
        #include <cairo-svg.h>
        #include <fontconfig/fontconfig.h>
        #include <pango/pangocairo.h>
        #include <pango/pangofc-fontmap.h>
        #define QRCERT_CCAIRO_CHECK 1
        #include "\(Self.header.path)"
        _Static_assert(sizeof(cairo_rectangle_t) == 4 * sizeof(double), "cairo_rectangle_t");
        _Static_assert(offsetof(PangoAttribute, start_index) == sizeof(void *), "PangoAttribute.start_index");
        _Static_assert(offsetof(PangoAttribute, end_index) == sizeof(void *) + sizeof(unsigned int), "PangoAttribute.end_index");
        _Static_assert(sizeof(FcBool) == sizeof(int) && sizeof(gboolean) == sizeof(int), "FcBool, gboolean");
        _Static_assert(sizeof(FcChar8) == 1, "FcChar8");

        """
        for (name, value) in constants {
            check += "_Static_assert(\(name) == \(value), \"\(name)\");\n"
        }
        let source = folder.appendingPathComponent("check.c")
        try check.write(to: source, atomically: true, encoding: .utf8)
        let flags = try Tools.run("pkg-config", ["--cflags", "pangocairo", "pangoft2", "fontconfig"])
        XCTAssertEqual(flags.status, 0, flags.stderr)
        let arguments = flags.text.split(whereSeparator: \.isWhitespace).map(String.init)
        let compile = try Tools.run("clang", ["-fsyntax-only", "-std=c11", "-Werror", "-Wall"] + arguments + [source.path])
        XCTAssertEqual(compile.status, 0, compile.stderr)
    }
}

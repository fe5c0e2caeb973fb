import Foundation
import XCTest

/// What a process loads, from the dynamic loader itself (`LD_DEBUG=files` names every object it maps): the print
/// stack (cairo, pango, fontconfig, harfbuzz and what they need) is dlopen()ed by the first print layout and libzbar
/// by the first image scan, so verify and issue to PNG start without them (docs/PERFORMANCE.md); a library that
/// cannot be loaded is a coded error.
final class StartupLibrariesTests: XCTestCase {
    private static let printLibraries = ["libcairo.so", "libpango-1.0.so", "libpangocairo-1.0.so", "libpangoft2-1.0.so",
                                         "libfontconfig.so", "libharfbuzz.so", "libglib-2.0.so"]

    /// The objects the loader mapped, from its `file=NAME [0];  needed by ...` and `dynamically loaded by` lines.
    private func loaded(_ result: CLI.Result) -> [String] {
        result.errorLines.compactMap { line in
            guard let start = line.range(of: "file=")?.upperBound else { return nil }
            return String(line[start...].prefix { $0 != " " && $0 != "\t" && $0 != "[" })
        }
    }

    /// `issue` of the first fixture licence.
    private func issue(_ extra: [String], folder: URL, environment: [String: String]) throws -> CLI.Result {
        let records = folder.appendingPathComponent("one.csv")
        if !FileManager.default.fileExists(atPath: records.path) {
            let lines = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true)
            try (lines.prefix(2).joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)
        }
        return try CLI.run(["issue", "--key", try CLI.key("ed25519", in: folder), "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                            "--profile", "driving-licence"] + extra + [records.path], environment: environment)
    }

    func testVerifyAndIssueToPNGLoadNoPrintLibrariesAndPrintingLoadsThem() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let debug = ["LD_DEBUG": "files"]
        let payloads = try issue(["--format", "payload"], folder: folder, environment: debug)
        XCTAssertEqual(payloads.status, 0, payloads.stderr)
        let payload = try XCTUnwrap(payloads.lines.first)
        let verify = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", payload], environment: debug)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        let png = try issue(["--out", folder.appendingPathComponent("png").path], folder: folder, environment: debug)
        XCTAssertEqual(png.status, 0, png.stderr)
        for (name, result) in [("issue --format payload", payloads), ("verify", verify), ("issue to PNG", png)] {
            let objects = loaded(result)
            // The loader's own lines are there, or the absence below would show nothing.
            XCTAssertTrue(objects.contains { $0.hasPrefix("libcrypto.so") }, "\(name): \(objects)")
            XCTAssertEqual(objects.filter { object in (Self.printLibraries + ["libzbar.so"]).contains { object.hasPrefix($0) } }, [], name)
        }
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("png").path)
            .first { $0.hasSuffix(".png") })
        let image = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", "--image",
                                 folder.appendingPathComponent("png").appendingPathComponent(file).path], environment: debug)
        XCTAssertEqual(image.status, 0, image.stderr)
        XCTAssertTrue(image.errorLines.contains { $0.contains("file=libzbar.so.0") && $0.contains("dynamically loaded by") },
                      image.stderr)
        XCTAssertEqual(loaded(image).filter { object in Self.printLibraries.contains { object.hasPrefix($0) } }, [])
        let card = try issue(["--format", "pdf", "--layout", "card", "--out", folder.appendingPathComponent("pdf").path],
                             folder: folder, environment: debug)
        XCTAssertEqual(card.status, 0, card.stderr)
        let objects = loaded(card)
        for library in Self.printLibraries {
            XCTAssertTrue(objects.contains { $0.hasPrefix(library) }, "issue --format pdf did not load \(library): \(objects)")
        }
        XCTAssertTrue(card.errorLines.contains { $0.contains("file=libpangocairo-1.0.so.0") && $0.contains("dynamically loaded by") },
                      card.stderr)
    }

    /// A print library the loader cannot use (here a file that is not one, found first through LD_LIBRARY_PATH)
    /// stops a print run before anything is written, with the loader's reason; verify does not notice it.
    func testAnUnloadablePrintLibraryIsPrintLibraryMissing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let libraries = folder.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: libraries, withIntermediateDirectories: true)
        let fake = libraries.appendingPathComponent("libpangocairo-1.0.so.0")
        // Longer than an ELF header, so the loader reads it and names what is wrong.
        try Data(String(repeating: "not a shared object\n", count: 16).utf8).write(to: fake)
        let environment = ["LD_LIBRARY_PATH": libraries.path]
        let out = folder.appendingPathComponent("cards")
        let card = try issue(["--format", "pdf", "--out", out.path], folder: folder, environment: environment)
        XCTAssertEqual(card.status, 2, card.stderr)
        XCTAssertEqual(card.errorLines, [
            "qrcert: error: cannot load the print libraries: \(fake.path): invalid ELF header [PRINT_LIBRARY_MISSING]",
            "qrcert: hint: install libcairo2, libpangocairo-1.0-0 and libfontconfig1 (scripts/setup)",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "the output folder was created")
        let payloads = try issue(["--format", "payload"], folder: folder, environment: environment)
        XCTAssertEqual(payloads.status, 0, payloads.stderr)
    }

    /// Likewise libzbar: `verify --image` answers each image with IMG_DECODER_MISSING and the loader's reason (an
    /// image not read, exit 1, as for any image error); text payloads verify as before.
    func testAnUnloadableZbarIsImgDecoderMissing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let libraries = folder.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: libraries, withIntermediateDirectories: true)
        let fake = libraries.appendingPathComponent("libzbar.so.0")
        try Data(String(repeating: "not a shared object\n", count: 16).utf8).write(to: fake)
        let environment = ["LD_LIBRARY_PATH": libraries.path]
        let out = folder.appendingPathComponent("png")
        let issued = try issue(["--out", out.path], folder: folder, environment: environment)
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let png = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: out.path).first { $0.hasSuffix(".png") })
        let path = out.appendingPathComponent(png).path
        let image = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", "--image", path], environment: environment)
        XCTAssertEqual(image.status, 1, image.stderr)
        let answer = try CLI.jsonObject(try XCTUnwrap(image.lines.first))
        XCTAssertEqual(answer["code"] as? String, "IMG_DECODER_MISSING")
        XCTAssertEqual(answer["message"] as? String, "\(path): cannot load the qr decoder: \(fake.path): invalid ELF header")
        let payloads = try issue(["--format", "payload"], folder: folder, environment: environment)
        let payload = try XCTUnwrap(payloads.lines.first)
        let text = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", payload], environment: environment)
        XCTAssertEqual(text.status, 0, text.stderr)
    }
}

import Foundation
import QRCertFormat
import XCTest

/// Tools and fixtures shared by the image tests: external programs (zbarimg, ImageMagick), temporary
/// files, payload generators and a PNG header reader.
enum ImageTestSupport {
    static let base45Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

    /// `QC1:` followed by `count - 4` Base45 characters from a fixed-seed generator.
    static func base45Payload(count: Int, seed: UInt64) -> String {
        var generator = SplitMix64(seed: seed)
        var text = "QC1:"
        while text.count < count {
            text.append(base45Alphabet[Int(generator.next() % UInt64(base45Alphabet.count))])
        }
        return text
    }

    static let vietnamese = "Giấy chứng nhận tiêm chủng: Nguyễn Thị Hương, sinh ngày 12/03/1985, Hà Nội — mũi 2"

    /// A fresh directory removed when the test ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("qrcert-image-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    struct ProcessResult {
        var status: Int32
        var stdout: Data
    }

    /// Runs a program found on PATH; stderr is discarded (zbarimg may print D-Bus noise there).
    static func run(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: data)
    }

    /// What `zbarimg --raw -q` reads from an image file, QR codes only: one string per symbol.
    ///
    /// With every symbology enabled (zbarimg's default) zbar finds a phantom Interleaved 2 of 5 barcode
    /// ("476871") inside some of our QR codes, so the QR decoder alone is enabled.
    static func zbarimg(_ file: URL) throws -> [String] {
        let result = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.path])
        // zbarimg exits 4 when it finds no symbol.
        XCTAssertTrue(result.status == 0 || result.status == 4, "zbarimg exit status \(result.status)")
        var text = String(decoding: result.stdout, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.isEmpty ? [] : text.components(separatedBy: "\n")
    }

    struct PNGHeader: Equatable {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: Int
    }

    /// The IHDR chunk, which the PNG specification puts first, right after the 8-byte signature.
    static func pngHeader(_ png: [UInt8]) -> PNGHeader? {
        guard png.count >= 33, png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              Array(png[12..<16]) == Array("IHDR".utf8) else { return nil }
        func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return PNGHeader(width: be32(16), height: be32(20), bitDepth: Int(png[24]), colorType: Int(png[25]))
    }

    /// Runs `body` with file descriptor 2 redirected to a temporary file and returns what was written there.
    static func capturingStderr(_ body: () -> Void) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)").path
        let fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0o600)
        precondition(fd >= 0)
        let saved = dup(2)
        fflush(nil)
        dup2(fd, 2)
        defer {
            fflush(nil)
            dup2(saved, 2)
            close(saved)
            close(fd)
            unlink(path)
        }
        body()
        fflush(nil)
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A small deterministic generator so that payloads are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Asserts that `body` throws a `QRCertError` with this stage, code and message.
func assertThrows<T>(_ stage: QRCertError.Stage, _ code: String, _ message: String,
                     file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws(QRCertError) -> T) {
    do {
        _ = try body()
        XCTFail("expected \(code), got no error", file: file, line: line)
    } catch {
        XCTAssertEqual(error.stage, stage, file: file, line: line)
        XCTAssertEqual(error.code, code, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    }
}

import Foundation
import QRCertFormat
import XCTest

/// `../shared` beside the package root, where the external vectors live (CI lays them out the same way).
let sharedDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // QRCertCryptoTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .deletingLastPathComponent()
    .appendingPathComponent("shared")

/// A JSON document under `../shared`.
func sharedJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: sharedDirectory.appendingPathComponent(path))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], path)
}

/// Bytes of a hex string; fails the test on bad input.
func hex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var high: UInt8?
    for character in text.utf8 {
        let nibble: UInt8
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
        default: XCTFail("bad hex \(text)"); return []
        }
        if let first = high { out.append(first << 4 | nibble); high = nil } else { high = nibble }
    }
    XCTAssertNil(high, "odd hex length")
    return out
}

/// Lower-case hex of bytes.
func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// Asserts that `body` throws a QRCertError with `code` (and `stage` when given).
func assertThrowsCode(
    _ code: String, stage: QRCertError.Stage? = nil, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected \(code), nothing thrown", file: file, line: line)
    } catch let error as QRCertError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        if let stage { XCTAssertEqual(error.stage, stage, file: file, line: line) }
        XCTAssertFalse(error.message.hasSuffix("."), "message ends with a period", file: file, line: line)
        XCTAssertFalse(error.message.contains("\n"), "message spans lines", file: file, line: line)
    } catch {
        XCTFail("expected \(code), got \(error)", file: file, line: line)
    }
}

/// Runs a program with `input` on stdin; returns stdout, failing the test on a non-zero exit.
func runTool(_ arguments: [String], input: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(
        process.terminationStatus, 0, "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))",
        file: file, line: line)
    return Array(output)
}

/// A temporary file holding `bytes`, removed at the end of the test.
func temporaryFile(_ bytes: [UInt8], in test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-crypto-\(UUID().uuidString)")
    try Data(bytes).write(to: url)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw r||s, written independently of the library.
func derSignature(raw: [UInt8]) -> [UInt8] {
    func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var value = Array(bytes.drop { $0 == 0 })
        if value.isEmpty || value[0] >= 0x80 { value.insert(0, at: 0) }
        return [0x02, UInt8(value.count)] + value
    }
    let half = raw.count / 2
    let body = integer(raw[..<half]) + integer(raw[half...])
    return [0x30, UInt8(body.count)] + body
}

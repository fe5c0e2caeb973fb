import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// docs/ERRORS.md against the code: every code thrown in `Sources/` is catalogued, every catalogued code is
/// thrown somewhere and named by a test, and every example payload in the catalogue fails exactly as written.
final class ErrorCatalogTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One row of a catalogue table.
    struct Row {
        var code: String
        var stage: String
        var input: String
        var message: String
        /// In the "Internal failures" section: no input reaches it.
        var isInternal: Bool
        var line: Int
    }

    /// The table rows of docs/ERRORS.md: `` | `CODE` | stage | input | message | ``.
    static func catalogue() throws -> [Row] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ERRORS.md"), encoding: .utf8)
        var rows: [Row] = []
        var internalSection = false
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("## ") { internalSection = line.hasPrefix("## Internal failures") }
            guard let match = line.wholeMatch(of: /\| `([A-Z0-9_]+)` \| ([a-z0-9]+) \| (.*) \| (.*) \|/) else { continue }
            rows.append(Row(code: String(match.1), stage: String(match.2), input: String(match.3), message: String(match.4),
                            isInternal: internalSection, line: index + 1))
        }
        return rows
    }

    /// Every `.swift` file under `folder`, with its text.
    static func swiftFiles(under folder: String) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        var files: [(String, String)] = []
        let enumerator = FileManager.default.enumerator(atPath: base.path)
        while let name = enumerator?.nextObject() as? String {
            guard name.hasSuffix(".swift") else { continue }
            files.append((folder + "/" + name, try String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// The codes `Sources/` can throw: string literals shaped like codes (`B45_BAD_CHAR`), and any literal right
    /// after `QRCertError(stage, ` (`USAGE`). Not codes: environment variable names (`env["LC_ALL"]`,
    /// `getenv("QRCERT_X")`) and C function names passed for messages (`"EVP_PKEY2PKCS8"` beside `EVP_PKEY2PKCS8(`).
    /// The fuzz harnesses are not part of the tool.
    static func sourceCodes() throws -> [String: [String]] {
        var codes: [String: [String]] = [:]
        for (path, text) in try swiftFiles(under: "Sources") where !path.hasPrefix("Sources/Fuzz") {
            let lines = text.components(separatedBy: "\n")
            for (number, line) in lines.enumerated() {
                for match in line.matches(of: /"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/) {
                    let code = String(match.1)
                    let before = line[..<match.range.lowerBound]
                    if before.hasSuffix("[") || before.hasSuffix("getenv(") { continue }
                    if line.contains(code + "(") { continue }
                    codes[code, default: []].append("\(path):\(number + 1)")
                }
            }
            for match in text.matches(of: /QRCertError\(\s*[\w.]+,\s*"([A-Z][A-Z0-9_]*)"/) {
                codes[String(match.1), default: []].append(path)
            }
        }
        return codes
    }

    func testEveryCodeInSourcesIsCatalogued() throws {
        let catalogued = Set(try Self.catalogue().map(\.code))
        let codes = try Self.sourceCodes()
        XCTAssertGreaterThan(codes.count, 100)
        for (code, places) in codes.sorted(by: { $0.key < $1.key }) where !catalogued.contains(code) {
            XCTFail("\(code) (\(places.first ?? "")) is not in docs/ERRORS.md: add a row to the table of its stage")
        }
    }

    func testEveryCataloguedCodeIsThrownSomewhere() throws {
        let codes = try Self.sourceCodes()
        for row in try Self.catalogue() where codes[row.code] == nil {
            XCTFail("docs/ERRORS.md:\(row.line): \(row.code) is not used in Sources/ (a retired code stays, marked retired)")
        }
    }

    func testRowsAreWellFormed() throws {
        let rows = try Self.catalogue()
        XCTAssertGreaterThan(rows.count, 140)
        let stages = Set(QRCertError.Stage.allCases.map(\.rawValue))
        for row in rows {
            XCTAssertTrue(stages.contains(row.stage), "docs/ERRORS.md:\(row.line): unknown stage \(row.stage)")
            XCTAssertTrue(row.message.hasPrefix("`") && row.message.hasSuffix("`"), "docs/ERRORS.md:\(row.line): the message goes in backticks")
            XCTAssertFalse(row.input.isEmpty, "docs/ERRORS.md:\(row.line)")
        }
    }

    /// A code counts as tested when a test file other than this one names it (as "CODE", [CODE], or a
    /// vector's EXPECTEDCODE read by VectorTests), or when this test runs a catalogue example that raises it.
    func testEveryCataloguedCodeIsAssertedByATest() throws {
        var named = Set<String>()
        for (path, text) in try Self.swiftFiles(under: "Tests") where !path.hasSuffix("/ErrorCatalogTests.swift") {
            for match in text.matches(of: /[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|USAGE/) { named.insert(String(match.output)) }
        }
        let vectors = Self.root.appendingPathComponent("Fixtures/vectors")
        for name in try FileManager.default.contentsOfDirectory(atPath: vectors.path) where name.hasSuffix(".json") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: vectors.appendingPathComponent(name))) as? [String: Any]
            if let code = object?["EXPECTEDCODE"] as? String { named.insert(code) }
        }
        let rows = try Self.catalogue()
        let runnable = Set(rows.filter { Self.example(of: $0) != nil }.map(\.code))
        for row in rows where !row.isInternal && !named.contains(row.code) && !runnable.contains(row.code) {
            XCTFail("docs/ERRORS.md:\(row.line): no test triggers \(row.code)")
        }
    }

    // MARK: Runnable examples

    enum Example {
        case payload(String)
        case vector(String)
    }

    /// The payload or vector file an input cell starts with, if any.
    static func example(of row: Row) -> Example? {
        guard let match = row.input.firstMatch(of: /^`([^`]+)`/) else { return nil }
        let text = String(match.1)
        if text.hasPrefix("Fixtures/vectors/") && text.hasSuffix(".json") { return .vector(String(text.dropFirst("Fixtures/vectors/".count))) }
        if text.wholeMatch(of: /[A-Z0-9]{2,3}:.*/) != nil { return .payload(text) }
        return nil
    }

    /// Each runnable example fails first with its row's code and, when the row has no `‹…›`, its exact message.
    func testExamplesFailExactlyAsCatalogued() throws {
        var store = TrustStore()
        for name in ["es256", "ed25519"] {
            store.add(try PublicKey.pem(String(contentsOf: Self.root.appendingPathComponent("Fixtures/keys/TEST-ONLY-\(name).pub.pem"),
                                               encoding: .utf8)), source: name)
        }
        let verifier = Verifier(trust: store, profiles: try BuiltinProfiles.all())
        var ran = 0
        for row in try Self.catalogue() {
            guard let example = Self.example(of: row) else { continue }
            let reason: QRCertError?
            switch example {
            case .payload(let text):
                reason = verifier.verify(text, at: 1_772_330_400).reason  // 2026-03-01T09:00:00+07:00
            case .vector(let file):
                reason = try ConformanceCase(file: file, in: ConformancePaths.vectors, requiredPrefix: nil).run().verdict.reason
            }
            ran += 1
            let place = "docs/ERRORS.md:\(row.line)"
            XCTAssertEqual(reason?.code, row.code, "\(place): \(String(describing: reason))")
            XCTAssertEqual(reason?.stage.rawValue, row.stage, place)
            let message = String(row.message.dropFirst().dropLast())
            if !message.contains("‹") {
                XCTAssertEqual(reason?.message, message, place)
            } else if let reason {
                // The fixed parts, in order.
                let pattern = message.split(separator: /‹[^›]*›/, omittingEmptySubsequences: false)
                    .map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: ".+")
                XCTAssertNotNil(reason.message.wholeMatch(of: try Regex(pattern)), "\(place): \(reason.message)")
            }
        }
        XCTAssertGreaterThan(ran, 40)
    }
}

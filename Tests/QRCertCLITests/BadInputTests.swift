import Foundation
import XCTest

/// Every file of Fixtures/bad issued by the binary: the exact stderr lines documented in
/// Fixtures/bad/README.md, the same rejections in OUT/rejects.jsonl, the good rows still issued, exit 1;
/// and with --strict, nothing written at all.
final class BadInputTests: XCTestCase {
    struct Case {
        var file: String
        var expected: [String]
    }

    /// A file whose reading stops: the error and hint lines, and the ids issued before the fault.
    struct StopCase {
        var file: String
        var expected: [String]
        var issued: [String]
    }

    /// The README's tables: `| \`FILE\` | kind | \`LINE\`<br>\`LINE\` |` for rows rejected alone, and a
    /// fourth cell with the ids issued before the fault for files whose reading stops. The test reads the
    /// doc, so they cannot drift apart.
    static func documentedRows() throws -> [[String]] {
        let readme = try String(contentsOf: CLI.fixture("bad/README.md"), encoding: .utf8)
        var rows: [[String]] = []
        for row in readme.components(separatedBy: "\n") where row.hasPrefix("| `") {
            var cells = row.components(separatedBy: " | ")
            if let last = cells.last, last.hasSuffix(" |") { cells[cells.count - 1] = String(last.dropLast(2)) }
            if let last = cells.last, last.hasSuffix("|") { cells[cells.count - 1] = String(last.dropLast(1)) }
            rows.append(cells)
        }
        return rows
    }

    private static func lines(_ cell: String) -> [String] {
        cell.components(separatedBy: "<br>").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` ")) }.filter { !$0.isEmpty }
    }

    static func documentedCases() throws -> [Case] {
        try documentedRows().filter { $0.count == 3 }.map { cells in
            Case(file: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "|` ")), expected: lines(cells[2]))
        }
    }

    static func documentedStops() throws -> [StopCase] {
        try documentedRows().filter { $0.count == 4 }.map { cells in
            StopCase(file: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "|` ")), expected: lines(cells[2]),
                     issued: lines(cells[3]))
        }
    }

    private let goodIDs = ["079200000001", "079200000002"]

    private func issue(_ file: String, strict: Bool = false) throws -> (CLI.Result, URL) {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let key = try CLI.key("es256", in: folder)
        let result = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                  "--out", out.path] + (strict ? ["--strict"] : []) + [file],
                                 in: CLI.fixture("bad"))
        return (result, out)
    }

    func testTheReadmeDocumentsEveryBadFile() throws {
        let documented = (try Self.documentedCases().map(\.file) + Self.documentedStops().map(\.file)).sorted()
        let present = try FileManager.default.contentsOfDirectory(atPath: CLI.fixture("bad").path).filter { $0 != "README.md" }.sorted()
        XCTAssertEqual(documented, present)
        XCTAssertEqual(try Self.documentedCases().count, 12)
        XCTAssertEqual(try Self.documentedStops().count, 4)
    }

    /// A fault whose row end cannot be known (or a header that does not fit) stops reading: the rows before
    /// it are issued, nothing after it is read, nothing of it is issued, exit 2; with --strict nothing at all.
    func testFilesWhoseReadingStopsIssueOnlyWhatCameBefore() throws {
        for item in try Self.documentedStops() {
            let (result, out) = try issue(item.file)
            XCTAssertEqual(result.status, 2, item.file)
            XCTAssertEqual(result.stdout, "", item.file)
            var lines = result.errorLines
            if item.issued.isEmpty {
                // A header is checked before the output folder is made.
                XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), item.file)
            } else {
                let summary = lines.isEmpty ? "" : lines.removeFirst()
                XCTAssertNotNil(summary.range(of: #"^qrcert: stopped reading: issued \#(item.issued.count), rejected 0 in [0-9.]+ s \([0-9]+ records/s\)$"#,
                                              options: .regularExpression), "\(item.file): \(summary)")
                let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
                XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, item.issued, item.file)
                let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                XCTAssertEqual(files, (item.issued.map { "\($0).png" } + ["manifest.jsonl"]).sorted(), item.file)
            }
            XCTAssertEqual(lines, item.expected, item.file)

            let (strict, strictOut) = try issue(item.file, strict: true)
            XCTAssertEqual(strict.status, 2, item.file)
            XCTAssertEqual(strict.errorLines, item.expected, item.file)
            XCTAssertFalse(FileManager.default.fileExists(atPath: strictOut.path), "\(item.file): --strict created \(strictOut.path)")
        }
    }

    /// With its quotes fixed, the stopped run is finished with --resume: the hidden "record" is now what it
    /// always was, part of an address (and a newline in an address is refused), never a licence of its own.
    func testAStoppedRunIsFinishedWithResumeOnceTheQuotesAreFixed() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let key = try CLI.key("ed25519", in: folder)
        let input = folder.appendingPathComponent("smuggled-record.csv")
        try FileManager.default.copyItem(at: CLI.fixture("bad/smuggled-record.csv"), to: input)
        let arguments = ["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence", "--out", out.path]
        XCTAssertEqual(try CLI.run(arguments + [input.path]).status, 2)
        var text = try String(contentsOf: input, encoding: .utf8)
        text = text.replacingOccurrences(of: "Lê Văn \"Cường\"", with: "\"Lê Văn \"\"Cường\"\"\"")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let resumed = try CLI.run(arguments + ["--resume", input.path])
        XCTAssertEqual(resumed.status, 1, resumed.stderr)
        XCTAssertEqual(resumed.errorLines.first, "\(input.path):3: address: contains a control character [REC_BAD_TEXT]")
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, ["079200000001", "079200000002"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("079200000009.png").path))
    }

    func testEachBadFileIsReportedExactlyAndTheGoodRowsAreIssued() throws {
        for item in try Self.documentedCases() {
            let (result, out) = try issue(item.file)
            XCTAssertEqual(result.status, 1, item.file)
            XCTAssertEqual(result.stdout, "", item.file)
            let good = goodIDs
            var lines = result.errorLines
            let summary = lines.popLast() ?? ""
            XCTAssertEqual(lines, item.expected, item.file)
            XCTAssertTrue(CLI.isSummary(summary, issued: good.count, rejected: item.expected.count), "\(item.file): \(summary)")

            // rejects.jsonl says the same, line for line.
            let rejects = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8))
            XCTAssertEqual(rejects.count, item.expected.count, item.file)
            for (reject, line) in zip(rejects, item.expected) {
                XCTAssertEqual(reject["source"] as? String, item.file)
                XCTAssertEqual(Set(reject.keys), ["source", "line", "field", "id", "code", "message"])
                let field = (reject["field"] as? String).map { "\($0): " } ?? ""
                let rebuilt = "\(reject["source"] as? String ?? "?"):\(reject["line"] as? Int ?? -1): \(field)\(reject["message"] as? String ?? "?") [\(reject["code"] as? String ?? "?")]"
                XCTAssertEqual(rebuilt, line, item.file)
            }

            // The good rows are issued anyway, in input order, with their PNGs.
            let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
            XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, good, item.file)
            for id in good {
                XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(id).png").path), "\(item.file): \(id).png")
            }
        }
    }

    func testRejectsCarryTheRecordIDWhenItCouldBeRead() throws {
        let (_, out) = try issue("missing-expiry.csv")
        let reject = try XCTUnwrap(try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8)).first)
        XCTAssertEqual(reject["id"] as? String, "079200000003")
        XCTAssertEqual(reject["field"] as? String, "expiry_date")
        XCTAssertEqual(reject["code"] as? String, "REC_MISSING_EXPIRY")
        XCTAssertEqual(reject["line"] as? Int, 3)
        let (_, ragged) = try issue("ragged-row.csv")
        let row = try XCTUnwrap(try CLI.jsonObjects(try String(contentsOf: ragged.appendingPathComponent("rejects.jsonl"), encoding: .utf8)).first)
        XCTAssertTrue(row["id"] is NSNull)
        XCTAssertTrue(row["field"] is NSNull)
    }

    func testStrictWritesNothingWhenAnyRowIsBad() throws {
        for item in try Self.documentedCases() {
            let (result, out) = try issue(item.file, strict: true)
            XCTAssertEqual(result.status, 1, item.file)
            XCTAssertEqual(result.stdout, "")
            XCTAssertEqual(result.errorLines, item.expected + ["qrcert: \(item.expected.count) bad row(s); nothing issued (--strict)"], item.file)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(item.file): --strict created \(out.path)")
        }
    }

    func testStrictFromStdinNamesTheInputStdin() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let text = try String(contentsOf: CLI.fixture("bad/unknown-class.csv"), encoding: .utf8)
        let result = try CLI.run(["issue", "--key", try CLI.key("es256", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                  "--profile", "driving-licence", "--out", out.path, "--strict", "-"], stdin: text)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errorLines, [
            "<stdin>:3: class: \"B2\" is not one of A1, A, B1, B, C1, C, D1, D2, D, BE, C1E, CE, D1E, D2E, DE [REC_BAD_ENUM]",
            "qrcert: 1 bad row(s); nothing issued (--strict)",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testStrictWithGoodInputIssuesEverything() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let result = try CLI.run(["issue", "--key", try CLI.key("es256", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                  "--profile", "transport-permit", "--out", out.path, "--strict",
                                  CLI.fixture("records/transport-permits.csv").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(CLI.isSummary(result.errorLines.last ?? "", issued: 30, rejected: 0), result.stderr)
        XCTAssertEqual(try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)).count, 30)
    }

    func testBadRowsFromStdinInPayloadMode() throws {
        let text = try String(contentsOf: CLI.fixture("bad/bad-json-line.jsonl"), encoding: .utf8)
        let folder = try CLI.temporaryDirectory(for: self)
        let result = try CLI.run(["issue", "--key", try CLI.key("ed25519", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                  "--profile", "driving-licence", "--format", "payload", "--input-format", "jsonl"], stdin: text)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.lines.count, 2)
        XCTAssertEqual(result.errorLines.first, "<stdin>:2: the record ends before its closing } [REC_BAD_JSON]")
        XCTAssertTrue(CLI.isSummary(result.errorLines.last ?? "", issued: 2, rejected: 1), result.stderr)
    }
}

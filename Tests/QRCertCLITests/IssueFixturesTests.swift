import Foundation
import XCTest

/// The fixture records issued once for the whole class by the real binary: PNGs read back by zbar to the
/// exact manifest payload, every payload verified VALID by `qrcert verify`, the same records from CSV,
/// JSON, JSON Lines and stdin giving byte-identical Ed25519 payloads.
final class IssueFixturesTests: XCTestCase {
    /// What one issuing run left behind.
    struct Run: Sendable {
        let result: CLI.Result
        let out: URL?
    }

    /// Every run of the class, made once (a lazy static is initialised once, thread-safely).
    struct Runs: Sendable {
        let folder: URL
        let licencesPNG: Run
        let transportPNG: Run
        let constructionPNG: Run
        /// Ed25519 `--format payload` runs of the same 300 licences, by input form.
        let payloads: [String: Run]

        static func make() throws -> Runs {
            let folder = try CLI.makeTemporaryDirectory()
            let es256 = try CLI.key("es256", in: folder), ed25519 = try CLI.key("ed25519", in: folder)
            func png(_ profile: String, _ records: String, _ name: String) throws -> Run {
                let out = folder.appendingPathComponent(name)
                return Run(result: try CLI.run(["issue", "--key", es256, "--issuer", "Sở GTVT Đà Nẵng", "--profile", profile,
                                                "--out", out.path, CLI.fixture("records/\(records)").path]), out: out)
            }
            func payload(_ input: [String], stdin: String? = nil) throws -> Run {
                Run(result: try CLI.run(["issue", "--key", ed25519, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                         "--format", "payload"] + input, stdin: stdin), out: nil)
            }
            let jsonl = try String(contentsOf: CLI.fixture("records/driving-licences.jsonl"), encoding: .utf8)
            let csv = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
            return Runs(
                folder: folder,
                licencesPNG: try png("driving-licence", "driving-licences.csv", "licences"),
                transportPNG: try png("transport-permit", "transport-permits.csv", "transport"),
                constructionPNG: try png("construction-permit", "construction-permits.csv", "construction"),
                payloads: [
                    "csv": try payload([CLI.fixture("records/driving-licences.csv").path]),
                    "json": try payload([CLI.fixture("records/driving-licences.json").path]),
                    "jsonl": try payload([CLI.fixture("records/driving-licences.jsonl").path]),
                    "stdin-jsonl": try payload(["--input-format", "jsonl", "-"], stdin: jsonl),
                    "stdin-csv": try payload([], stdin: csv),
                    "one-job": try payload(["--jobs", "1", CLI.fixture("records/driving-licences.csv").path]),
                ])
        }
    }

    static let shared: Result<Runs, any Error> = Result { try Runs.make() }

    override class func tearDown() {
        if case .success(let runs) = shared { try? FileManager.default.removeItem(at: runs.folder) }
        super.tearDown()
    }

    private var runs: Runs { get throws { try Self.shared.get() } }

    private func manifest(_ run: Run) throws -> [[String: Any]] {
        let out = try XCTUnwrap(run.out)
        return try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
    }

    /// The records of the JSON Lines fixture, as objects.
    private func fixtureRecords() throws -> [[String: Any]] {
        try CLI.jsonObjects(try String(contentsOf: CLI.fixture("records/driving-licences.jsonl"), encoding: .utf8))
    }

    /// Verifies every payload at a moment inside its window, with as few moments as possible (interval
    /// stabbing: the earliest-ending window picks its last second, which also covers every window open then);
    /// each moment verifies its batch in one stdin run. Returns the number of moments.
    @discardableResult
    private func assertValid(_ windows: [(payload: String, from: Int64, until: Int64)], key: String = "es256",
                             file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var remaining = windows.sorted { $0.until < $1.until }
        var moments = 0
        while let first = remaining.first {
            let moment = first.until == .max ? remaining.map(\.from).max() ?? first.from : first.until - 1
            let batch = remaining.filter { $0.from <= moment && moment < $0.until }
            remaining.removeAll { $0.from <= moment && moment < $0.until }
            XCTAssertFalse(batch.isEmpty, "window ends before it starts", file: file, line: line)
            if batch.isEmpty { break }
            let result = try CLI.run(["verify", "--trust", CLI.publicKey(key), "--at", "@\(moment)", "--json", "-"],
                                     stdin: batch.map(\.payload).joined(separator: "\n") + "\n")
            XCTAssertEqual(result.status, 0, "at \(CLI.iso(moment)): \(result.stdout.prefix(2000))", file: file, line: line)
            let verdicts = try CLI.jsonObjects(result.stdout)
            XCTAssertEqual(verdicts.count, batch.count, file: file, line: line)
            XCTAssertTrue(verdicts.allSatisfy { $0["valid"] as? Bool == true }, file: file, line: line)
            moments += 1
        }
        return moments
    }

    // MARK: - PNG runs

    func testIssuingTheLicencesSucceedsQuietly() throws {
        let run = try runs.licencesPNG
        XCTAssertEqual(run.result.status, 0, run.result.stderr)
        XCTAssertEqual(run.result.stdout, "")
        XCTAssertEqual(run.result.errorLines.count, 1, run.result.stderr)
        XCTAssertTrue(CLI.isSummary(run.result.errorLines.first ?? "", issued: 300, rejected: 0), run.result.stderr)
        let out = try XCTUnwrap(run.out)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files.filter { $0.hasSuffix(".png") }.count, 300)
        XCTAssertEqual(files.filter { !$0.hasSuffix(".png") }, ["manifest.jsonl"])  // no rejects.jsonl, no temporary files
    }

    func testManifestHasOneLinePerRecordInInputOrder() throws {
        let lines = try manifest(try runs.licencesPNG)
        let records = try fixtureRecords()
        XCTAssertEqual(lines.count, 300)
        for (index, (line, record)) in zip(lines, records).enumerated() {
            let id = try XCTUnwrap(record["licence_no"] as? String)
            XCTAssertEqual(line["id"] as? String, id)
            XCTAssertEqual(line["file"] as? String, "\(id).png")
            XCTAssertEqual(line["type"] as? String, "vn.dl")
            XCTAssertEqual(line["ec"] as? String, "Q")
            XCTAssertEqual(line["line"] as? Int, index + 2)
            XCTAssertEqual((line["cti"] as? String)?.count, 16)
            let version = try XCTUnwrap(line["qr_version"] as? Int)
            XCTAssertTrue((10...20).contains(version), "QR version \(version) for \(id)")
            let payload = try XCTUnwrap(line["payload"] as? String)
            XCTAssertTrue(payload.hasPrefix("QC2:"))
        }
        XCTAssertEqual(Set(lines.compactMap { $0["cti"] as? String }).count, 300)
    }

    /// External truth: zbar, not our decoder, reads every PNG back to the exact manifest payload.
    func testEveryPNGDecodesWithZbarToItsManifestPayload() throws {
        for run in [try runs.licencesPNG, try runs.transportPNG, try runs.constructionPNG] {
            let out = try XCTUnwrap(run.out)
            let lines = try manifest(run)
            let files = try lines.map { out.appendingPathComponent(try XCTUnwrap($0["file"] as? String)).path }
            let decoded = try CLI.zbarimg(files)
            let payloads = lines.compactMap { $0["payload"] as? String }
            XCTAssertEqual(decoded.count, payloads.count)
            for (index, (read, expected)) in zip(decoded, payloads).enumerated() where read != expected {
                XCTFail("\(files[index]): zbar read \(read.prefix(40))..., manifest has \(expected.prefix(40))...")
            }
        }
    }

    /// Every licence verifies VALID at a moment inside its own window. The fixtures span 1978-2035, so no
    /// single moment suits all: the moments are chosen as few as possible (interval stabbing), each
    /// verifying its batch in one stdin run. Windows come from the fixture's dates, computed with Foundation.
    func testEveryLicenceVerifiesValidInsideItsWindow() throws {
        let lines = try manifest(try runs.licencesPNG)
        let records = try fixtureRecords()
        var windows: [(payload: String, from: Int64, until: Int64)] = []
        for (line, record) in zip(lines, records) {
            let from = try CLI.vietnamMidnight(try XCTUnwrap(record["issue_date"] as? String))
            let expiry = record["expiry_date"] as? String ?? ""
            let until = expiry.isEmpty ? Int64.max : try CLI.vietnamMidnight(expiry, plusDays: 1)
            windows.append((try XCTUnwrap(line["payload"] as? String), from, until))
        }
        let moments = try assertValid(windows)
        XCTAssertLessThan(moments, 60)
    }

    /// One moment, every licence: VALID exactly when the moment is inside the window, CWT_EXPIRED after it,
    /// CWT_NOT_YET_VALID before it; the record shown is the fixture's, field for field.
    func testVerdictsOfAllLicencesAtOneMoment() throws {
        let lines = try manifest(try runs.licencesPNG)
        let records = try fixtureRecords()
        let moment: Int64 = 1_717_200_000  // 2024-06-01T00:00:00Z
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("es256"), "--at", "2024-06-01T07:00:00+07:00", "--json"],
                                 stdin: lines.compactMap { $0["payload"] as? String }.joined(separator: "\r\n") + "\r\n")
        let verdicts = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(verdicts.count, 300)
        var counts: [String: Int] = [:]
        for (verdict, record) in zip(verdicts, records) {
            let from = try CLI.vietnamMidnight(try XCTUnwrap(record["issue_date"] as? String))
            let expiry = record["expiry_date"] as? String ?? ""
            let until = expiry.isEmpty ? nil : try CLI.vietnamMidnight(expiry, plusDays: 1)
            let expected = moment < from ? "CWT_NOT_YET_VALID" : (until.map { moment >= $0 } ?? false) ? "CWT_EXPIRED" : "VALID"
            let code = verdict["code"] as? String ?? "VALID"
            XCTAssertEqual(code, expected, "\(record["licence_no"] ?? "?")")
            counts[code, default: 0] += 1
            XCTAssertEqual(verdict["issued_at"] as? String, CLI.iso(from))
            XCTAssertEqual(verdict["expires_at"] as? String, until.map(CLI.iso))
            // The record as verified equals the fixture record (empty values are absent fields).
            let shown = try XCTUnwrap(verdict["record"] as? [String: String], "\(verdict)")
            let fixture = record.compactMapValues { ($0 as? String).flatMap { $0.isEmpty ? nil : $0 } }
            XCTAssertEqual(shown, fixture)
        }
        XCTAssertEqual(result.status, counts.keys.contains { $0 != "VALID" } ? 1 : 0)
        XCTAssertGreaterThan(counts["VALID"] ?? 0, 100)
        XCTAssertGreaterThan(counts["CWT_EXPIRED"] ?? 0, 10)
        XCTAssertGreaterThan(counts["CWT_NOT_YET_VALID"] ?? 0, 10)
    }

    func testPermitsIssueAndVerify() throws {
        for (run, type, count) in [(try runs.transportPNG, "vn.tp", 30), (try runs.constructionPNG, "vn.cp", 30)] {
            XCTAssertEqual(run.result.status, 0, run.result.stderr)
            let lines = try manifest(run)
            XCTAssertEqual(lines.count, count)
            XCTAssertTrue(lines.allSatisfy { $0["type"] as? String == type })
            // Permit numbers hold '/': the file name percent-encodes it and nothing escapes the folder; their
            // capitals add the id's hash, so no two permits share a file on a case-insensitive file system.
            let first = try XCTUnwrap(lines.first)
            let id = try XCTUnwrap(first["id"] as? String)
            XCTAssertTrue(id.contains("/"))
            XCTAssertTrue(try CLI.pngName(id).hasPrefix(id.replacingOccurrences(of: "/", with: "%2F") + "~"))
            XCTAssertEqual(first["file"] as? String, try CLI.pngName(id))
            // The verified records give each permit's window; every permit is VALID inside it.
            let payloads = lines.compactMap { $0["payload"] as? String }
            let all = try CLI.run(["verify", "--trust", CLI.publicKey("es256"), "--json", "--at", "2026-01-01", "-"],
                                  stdin: payloads.joined(separator: "\n"))
            var windows: [(payload: String, from: Int64, until: Int64)] = []
            for (payload, verdict) in zip(payloads, try CLI.jsonObjects(all.stdout)) {
                let record = try XCTUnwrap(verdict["record"] as? [String: String], "\(verdict)")
                let from = try CLI.vietnamMidnight(try XCTUnwrap(record["issue_date"]))
                let until = try record["start_deadline"].map { try CLI.vietnamMidnight($0, plusDays: 1) } ?? .max
                XCTAssertEqual(verdict["issued_at"] as? String, CLI.iso(from))
                XCTAssertEqual(verdict["expires_at"] as? String, until == .max ? nil : CLI.iso(until))
                windows.append((payload, from, until))
            }
            XCTAssertEqual(windows.count, count)
            if type == "vn.tp" { XCTAssertEqual(all.status, 0, "a transport permit has no term: \(all.stdout.prefix(1000))") }
            try assertValid(windows)
        }
    }

    // MARK: - Payload runs

    func testEveryInputFormGivesTheSameEd25519Payloads() throws {
        let payloads = try runs.payloads
        let csv = try XCTUnwrap(payloads["csv"])
        XCTAssertEqual(csv.result.status, 0, csv.result.stderr)
        XCTAssertEqual(csv.result.lines.count, 300)
        XCTAssertTrue(csv.result.lines.allSatisfy { $0.hasPrefix("QC2:") })
        XCTAssertTrue(CLI.isSummary(csv.result.errorLines.last ?? "", issued: 300, rejected: 0), csv.result.stderr)
        for (form, run) in payloads where form != "csv" {
            XCTAssertEqual(run.result.status, 0, "\(form): \(run.result.stderr)")
            XCTAssertEqual(run.result.lines, csv.result.lines, "\(form) differs from csv")
        }
        // Ed25519 payloads verify too (and with the Ed25519 key only).
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2024-06-01", "--json", "-"],
                                 stdin: csv.result.stdout)
        let verdicts = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(verdicts.count, 300)
        XCTAssertTrue(verdicts.allSatisfy { $0["kid"] as? String == "0e33f4fb000c1bb1" })
        XCTAssertFalse(verdicts.contains { ["SIG_INVALID", "KID_UNKNOWN", "ALG_KEY_MISMATCH"].contains($0["code"] as? String ?? "") })
    }

    func testPayloadModeWritesNoFiles() throws {
        let folder = try runs.folder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names, ["TEST-ONLY-ed25519.key.pem", "TEST-ONLY-es256.key.pem", "construction", "licences", "transport"])
    }
}

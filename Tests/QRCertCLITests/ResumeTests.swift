import Foundation
import XCTest

/// `issue --resume` as a person uses it: a run stopped with SIGINT (or killed outright, with the wreckage that
/// leaves), then the same command with `--resume`. With the Ed25519 key every payload is reproducible, so the
/// finished folder must be byte for byte the folder of a run that was never stopped.
final class ResumeTests: XCTestCase {
    /// Licences in the run: enough that a stop after `stopAt` lands mid-run, few enough for a debug build.
    static let count = 1_000
    static let stopAt = 200

    /// `count` generated licences and the folder of one uninterrupted run over them, made once for the class.
    struct Reference: Sendable {
        let folder: URL
        let key: String
        let records: URL
        let whole: URL
        let manifest: [String]
        let files: [String]

        static func make() throws -> Reference {
            let folder = try CLI.makeTemporaryDirectory()
            let key = try CLI.key("ed25519", in: folder)
            let records = try Batch.records(ResumeTests.count, in: folder)
            let whole = folder.appendingPathComponent("whole")
            let result = try CLI.run(Batch.issueArguments(key: key, out: whole, ["--jobs", "2", records.path]))
            XCTAssertEqual(result.status, 0, result.stderr)
            return Reference(folder: folder, key: key, records: records, whole: whole,
                             manifest: try Batch.manifestLines(whole), files: try Batch.files(whole))
        }
    }

    static let shared: Result<Reference, any Error> = Result { try Reference.make() }

    override class func tearDown() {
        if case .success(let reference) = shared { try? FileManager.default.removeItem(at: reference.folder) }
        super.tearDown()
    }

    private var reference: Reference { get throws { try Self.shared.get() } }

    /// The resumed folder holds exactly what the uninterrupted run made: same manifest bytes, same files, same PNG bytes.
    private func assertSameAsUninterrupted(_ out: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try reference
        let manifest = try Batch.manifestLines(out)
        XCTAssertEqual(manifest.count, Self.count, file: file, line: line)
        XCTAssertEqual(Set(manifest.map { try? CLI.jsonObject($0)["id"] as? String }).count, Self.count, "an id twice", file: file, line: line)
        XCTAssertEqual(manifest, reference.manifest, "manifest differs from the uninterrupted run's", file: file, line: line)
        XCTAssertEqual(try Batch.files(out), reference.files, "files differ (a temporary or stray file?)", file: file, line: line)
        for name in reference.files where name.hasSuffix(".png") {
            let ours = try Data(contentsOf: out.appendingPathComponent(name))
            guard ours == (try Data(contentsOf: reference.whole.appendingPathComponent(name))) else {
                return XCTFail("\(name) differs from the uninterrupted run's", file: file, line: line)
            }
        }
    }

    func testStoppedWithSIGINTThenResumedIssuesEachRecordOnce() throws {
        let reference = try reference
        let out = try CLI.temporaryDirectory(for: self).appendingPathComponent("out")
        let manifest = out.appendingPathComponent("manifest.jsonl")
        let arguments = Batch.issueArguments(key: reference.key, out: out, ["--jobs", "2", reference.records.path])

        let stopped = try Batch.stop(arguments, signal: SIGINT) { Batch.lineCount(manifest) >= Self.stopAt }
        XCTAssertEqual(stopped.status, 130, stopped.stderr)
        // A clean stop: what was in flight is finished and written, nothing else.
        let issued = Batch.lineCount(manifest)
        XCTAssertTrue((Self.stopAt..<Self.count).contains(issued), "\(issued) issued before the stop")
        XCTAssertEqual(stopped.errorLines.count, 2, stopped.stderr)
        XCTAssertNotNil(stopped.errorLines.first?.range(
            of: #"^qrcert: stopped: issued \#(issued), rejected 0 in [0-9]+\.[0-9]{2} s \([0-9]+ records/s\)$"#, options: .regularExpression),
                        stopped.stderr)
        XCTAssertEqual(stopped.errorLines.last, "qrcert: hint: run the same command with --resume to finish \(out.path)")
        XCTAssertEqual(try Batch.manifestLines(out), Array(reference.manifest.prefix(issued)))
        let written = try reference.manifest.prefix(issued).map { try XCTUnwrap(try CLI.jsonObject($0)["file"] as? String) }
        XCTAssertEqual(try Batch.files(out), (written + ["manifest.jsonl"]).sorted())

        let resumed = try CLI.run(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.errorLines.count, 1, resumed.stderr)
        XCTAssertNotNil(resumed.errorLines.first?.range(
            of: #"^qrcert: issued \#(Self.count - issued), rejected 0 in [0-9]+\.[0-9]{2} s \([0-9]+ records/s\); \#(issued) already issued by the earlier run$"#,
            options: .regularExpression), resumed.stderr)
        try assertSameAsUninterrupted(out)
    }

    func testAKilledRunsLeftoversAreCleanedUpOnResume() throws {
        let reference = try reference
        let out = try CLI.temporaryDirectory(for: self).appendingPathComponent("out")
        let manifest = out.appendingPathComponent("manifest.jsonl")
        let arguments = Batch.issueArguments(key: reference.key, out: out, ["--jobs", "2", "--shard", "0", reference.records.path])
        let killed = try Batch.stop(arguments, signal: SIGKILL) { Batch.lineCount(manifest) >= Self.stopAt }
        XCTAssertEqual(killed.status, 128 + SIGKILL)

        // What a kill or a crash can leave, all at once: a half-written temporary PNG, a manifest line cut in the
        // middle, and PNGs that never reached the disk although their manifest line did (no fsync).
        let lines = try Batch.manifestLines(out)
        XCTAssertGreaterThanOrEqual(lines.count, Self.stopAt)
        let lost = try XCTUnwrap(try CLI.jsonObject(lines[9])["file"] as? String)
        let cut = try XCTUnwrap(try CLI.jsonObject(lines[19])["file"] as? String)
        try FileManager.default.removeItem(at: out.appendingPathComponent(lost))
        try Data([0x89, 0x50]).write(to: out.appendingPathComponent(cut))
        try Data("unfinished".utf8).write(to: out.appendingPathComponent("001999999999.png.tmp-123-456"))
        let handle = try FileHandle(forWritingTo: manifest)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"0015108"#.utf8))
        try handle.close()

        let resumed = try CLI.run(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        // Ours, and any the kill itself left.
        XCTAssertNotNil(resumed.errorLines.first?.range(of: #"^qrcert: removed [1-9][0-9]* unfinished temporary file\(s\) of the earlier run$"#,
                                                         options: .regularExpression), resumed.stderr)
        XCTAssertNotNil(resumed.errorLines.last?.range(
            of: #"; \#(lines.count) already issued by the earlier run \(2 PNG\(s\) drawn again from the manifest\)$"#,
            options: .regularExpression), resumed.stderr)
        try assertSameAsUninterrupted(out)
    }

    func testResumingAFinishedRunIssuesNothing() throws {
        let reference = try reference
        let out = try CLI.temporaryDirectory(for: self).appendingPathComponent("out")
        try FileManager.default.copyItem(at: reference.whole, to: out)
        let result = try CLI.run(Batch.issueArguments(key: reference.key, out: out, ["--resume", reference.records.path]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertNotNil(result.errorLines.first?.range(
            of: #"^qrcert: issued 0, rejected 0 in [0-9]+\.[0-9]{2} s \(0 records/s\); \#(Self.count) already issued by the earlier run$"#,
            options: .regularExpression), result.stderr)
        try assertSameAsUninterrupted(out)
    }

    func testResumingIntoANewFolderIsAPlainRun() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(40, seed: 11, in: folder)
        let plain = folder.appendingPathComponent("plain"), resumed = folder.appendingPathComponent("resumed")
        XCTAssertEqual(try CLI.run(Batch.issueArguments(key: key, out: plain, [records.path])).status, 0)
        let result = try CLI.run(Batch.issueArguments(key: key, out: resumed, ["--resume", records.path]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("; 0 already issued by the earlier run\n"), result.stderr)
        XCTAssertEqual(try Batch.manifestLines(resumed), try Batch.manifestLines(plain))
    }

    /// A resume must continue the same job: another input, level, layout, key or image size is refused before
    /// anything is written, and the manifest is left as it was.
    func testResumeRefusesAnotherInputOrOtherOptions() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder), es256 = try CLI.key("es256", in: folder)
        let records = try Batch.records(40, seed: 11, in: folder)
        let rows = try String(contentsOf: records, encoding: .utf8).split(separator: "\n")
        let shorter = folder.appendingPathComponent("shorter.csv"), others = folder.appendingPathComponent("reordered.csv")
        try (rows.prefix(21).joined(separator: "\n") + "\n").write(to: shorter, atomically: true, encoding: .utf8)
        try ([rows[0], rows[2], rows[1]] + rows.dropFirst(3)).joined(separator: "\n").appending("\n")
            .write(to: others, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        XCTAssertEqual(try CLI.run(Batch.issueArguments(key: key, out: out, [records.path])).status, 0)
        let before = try Data(contentsOf: out.appendingPathComponent("manifest.jsonl"))
        let lines = try Batch.manifestLines(out).map { try CLI.jsonObject($0) }
        let first = try XCTUnwrap(lines[0]["id"] as? String), firstFile = try XCTUnwrap(lines[0]["file"] as? String)
        let otherFirst = try XCTUnwrap(lines[1]["id"] as? String)
        let manifest = out.appendingPathComponent("manifest.jsonl").path

        let cases: [(String, [String], String)] = [
            ("a reordered input", [others.path], "\(manifest):1: the earlier run issued \(first) here, but the input's next record is \(otherFirst)"),
            ("a shorter input", [shorter.path], "\(manifest):21: the earlier run issued \(try XCTUnwrap(lines[20]["id"] as? String)), which this input does not hold"),
            ("another level", ["--ec", "M", records.path], "\(manifest):1: \(first) was issued at EC level Q, this run asks for M"),
            ("another layout", ["--shard", "1", records.path], "\(manifest):1: \(first) is in \(firstFile), this run's layout puts it in "),
            ("another image size", ["--module-size", "3", records.path], "\(manifest):1: \(firstFile) drawn again has "),
        ]
        for (what, extra, message) in cases {
            let result = try CLI.run(Batch.issueArguments(key: key, out: out, ["--resume"] + extra))
            XCTAssertEqual(result.status, 2, what)
            XCTAssertTrue(result.errorLines.first?.hasPrefix("qrcert: error: \(message)") ?? false, "\(what): \(result.stderr)")
            XCTAssertTrue(result.errorLines.first?.hasSuffix("[RESUME_MISMATCH]") ?? false, "\(what): \(result.stderr)")
            XCTAssertEqual(result.errorLines.last, "qrcert: hint: resume with the same input and options as the stopped run, or issue into a new folder",
                           what)
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.jsonl")), before, what)
        }
        let otherKey = try CLI.run(["issue", "--key", es256, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence",
                                    "--out", out.path, "--resume", records.path])
        XCTAssertEqual(otherKey.status, 2)
        XCTAssertTrue(otherKey.errorLines.first?.contains(": another key, type or issue date [RESUME_MISMATCH]") ?? false, otherKey.stderr)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.jsonl")), before)
    }

    /// Rejected rows are reported again by the resumed run (it reads the whole input), so rejects.jsonl is rebuilt, not appended to.
    func testRejectsAreReportedAgainNotTwice() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        var rows = try String(contentsOf: try Batch.records(30, seed: 13, in: folder), encoding: .utf8).split(separator: "\n").map(String.init)
        rows.insert(rows[3], at: 10)  // a duplicate id
        rows.insert("001234", at: 20)  // a ragged row
        let records = folder.appendingPathComponent("with-bad-rows.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let first = try CLI.run(Batch.issueArguments(key: key, out: out, [records.path]))
        XCTAssertEqual(first.status, 1)
        let rejects = try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8)
        XCTAssertEqual(rejects.split(separator: "\n").count, 2)
        let again = try CLI.run(Batch.issueArguments(key: key, out: out, ["--resume", records.path]))
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.errorLines.count, 3, again.stderr)  // the two rejects and the summary
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8), rejects)
        XCTAssertEqual(try Batch.manifestLines(out).count, 30)
    }
}

import Foundation
@testable import QRCert
import QRCertFormat
import XCTest

/// A batch run into a sink held in memory: what reaches the sink, in input order, and the manifest lines it writes.
final class IssueSinkTests: XCTestCase {
    /// Keeps manifest lines and rejected rows.
    private final class MemorySink: IssueSink {
        var lines: [String] = []
        var rejected: [RejectedRow] = []
        var closed = false

        func issued(row: RecordRow, credential: Credential, issued: Issuer.Issued, product: Int) throws(QRCertError) {
            lines.append(Manifest.Line(id: credential.id, type: credential.profile.type, cti: Hex.encode(issued.certificateID),
                                       file: credential.id + ".png", pngBytes: product, qrVersion: nil, ec: "Q",
                                       line: row.line, payload: issued.payload).encoded)
        }
        func rejected(_ rejection: RejectedRow) throws(QRCertError) { rejected.append(rejection) }
        func close() throws(QRCertError) { closed = true }
    }

    func testEntriesReachTheSinkInInputOrder() throws {
        let header = LicenceRow.header.joined(separator: ",")
        func row(_ id: String, birth: String = "1992-04-30") -> String {
            "\(id),Nguyễn Thị Thu Hương,Nữ,\(birth),B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,12 Trần Phú"
        }
        let ids = (1...40).map { String(format: "0480900%05d", $0) }
        let rows = ids.enumerated().map { $0.offset == 7 ? row($0.element, birth: "1992-02-30") : row($0.element) }
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(([header] + rows).joined(separator: "\n").utf8), in: self),
                                     source: "t.csv")
        let issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: TestFixtures.issuerName)
        let batch = BatchIssue(profile: try TestFixtures.profile("driving-licence"), issuer: issuer, jobs: 3, batchSize: 4)
        let sink = MemorySink()
        var observed = 0
        let completion = try batch.run(&reader, into: sink, produce: { (_: Credential, issued: Issuer.Issued) throws(QRCertError) -> Int in
            issued.payload.utf8.count
        }, observe: { (_: BatchIssue.Entry<Int>) throws(QRCertError) in observed += 1 })
        XCTAssertEqual(completion, .finished)
        XCTAssertEqual(observed, 40)
        XCTAssertFalse(sink.closed)
        XCTAssertEqual(sink.rejected.map(\.line), [9])
        let read = try sink.lines.enumerated().map { (index, text) throws(QRCertError) in
            try Manifest.decode(Array(text.utf8), number: index + 1, path: "manifest.jsonl", sheet: false)
        }
        XCTAssertEqual(read.map(\.id), ids.enumerated().filter { $0.offset != 7 }.map(\.element))
        XCTAssertEqual(read.map(\.line), (2...41).filter { $0 != 9 })
        XCTAssertEqual(read.map(\.pngBytes), read.map { $0.payload.utf8.count })
    }

    /// Draws a "PNG" of a payload, writes nothing.
    private struct MemoryProducer: IssueProducer {
        func produce(_ credential: Credential, _ issued: Issuer.Issued) throws(QRCertError) -> Int {
            try draw(credential, payload: issued.payload).count
        }
        func file(for credential: Credential) -> String { credential.id + ".png" }
        func draw(_ credential: Credential, payload: String) throws(QRCertError) -> [UInt8] { Array(("PNG:" + payload).utf8) }
    }

    /// An output folder holding the first run's manifest and every file it drew.
    private final class MemoryFolder: ManifestWalk.Folder {
        let lines: [String]
        var files: [String: [UInt8]] = [:]
        private var next = 0
        init(lines: [String]) {
            self.lines = lines
            for line in lines {
                if let read = try? Manifest.decode(Array(line.utf8), number: 0, path: "m", sheet: false), let file = read.file {
                    files[file] = Array(("PNG:" + read.payload).utf8)
                }
            }
        }
        func nextLine() throws(QRCertError) -> (number: Int, bytes: [UInt8])? {
            guard next < lines.count else { return nil }
            next += 1
            return (next, Array(lines[next - 1].utf8))
        }
        func exists(_ file: String) -> Bool { files[file] != nil }
        func size(_ file: String) -> Int? { files[file]?.count }
        func read(_ file: String) throws(QRCertError) -> [UInt8] { files[file] ?? [] }
        func place(_ bytes: [UInt8], file: String) throws(QRCertError) { files[file] = bytes }
    }

    func testAResumedRunIssuesOnlyWhatTheFirstDidNot() throws {
        let header = LicenceRow.header.joined(separator: ",")
        let rows = (1...30).map { "0480900\(String(format: "%05d", $0)),Trần Văn An,Nam,1990-01-01,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,1 Lê Lợi" }
        func reader(_ count: Int) throws -> CSVRecordReader {
            CSVRecordReader(handle: try RecordText.handle(Array(([header] + rows.prefix(count)).joined(separator: "\n").utf8), in: self), source: "t.csv")
        }
        let issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: TestFixtures.issuerName)
        let batch = BatchIssue(profile: try TestFixtures.profile("driving-licence"), issuer: issuer, jobs: 2, batchSize: 4)
        func walk(_ lines: [String]) -> ManifestWalk {
            ManifestWalk(folder: MemoryFolder(lines: lines), manifestPath: "out/manifest.jsonl", issuer: issuer, ec: "Q", sheet: false,
                         producedRejects: [])
        }
        let first = MemorySink(), whole = MemorySink(), resumed = MemorySink()
        var part = try reader(12), all = try reader(30), again = try reader(30), shorter = try reader(8)
        try batch.run(&part, producing: MemoryProducer(), into: first)
        try batch.run(&all, producing: MemoryProducer(), into: whole)
        var skipped = 0
        let completion = try batch.run(&again, producing: MemoryProducer(), into: resumed, resuming: walk(first.lines),
                                       observe: { (entry: BatchIssue.Entry<Int>) throws(QRCertError) in
                                           if case .skipped = entry { skipped += 1 }
                                       })
        XCTAssertEqual(completion, .finished)
        XCTAssertEqual(skipped, 12)
        // Ed25519 signs reproducibly: the first run's lines and the resumed run's make the single run's.
        XCTAssertEqual(first.lines + resumed.lines, whole.lines)
        assertQRCertError(.io, "RESUME_MISMATCH") {
            try batch.run(&shorter, producing: MemoryProducer(), into: MemorySink(), resuming: walk(first.lines))
        }
    }
}

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
}

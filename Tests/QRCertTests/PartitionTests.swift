import QRCert
import QRCertFormat
import XCTest

/// `--partition K/N`: which part a record belongs to, as docs/BATCH.md states it.
final class PartitionTests: XCTestCase {
    /// The parts computed by Python's hashlib (1 + first 8 bytes of SHA-256, big-endian, mod N).
    func testPartsAreTheDocumentedHashOfTheID() throws {
        let expected: [(String, Int, Int)] = [
            ("079200000001", 3, 4), ("079200000002", 2, 4), ("001123456789", 3, 5), ("Lê", 3, 7),
        ]
        for (id, of3, of7) in expected {
            XCTAssertEqual(Partition.part(of: id, count: 3), of3, id)
            XCTAssertEqual(Partition.part(of: id, count: 7), of7, id)
            XCTAssertEqual(Partition.part(of: id, count: 1), 1, id)
        }
    }

    func testEveryIDIsInExactlyOnePart() throws {
        for n in [1, 2, 3, 7, 64] {
            let parts = try (1...n).map { try Partition("\($0)/\(n)") }
            for number in 0..<500 {
                let id = String(format: "0792%08d", number)
                XCTAssertEqual(parts.filter { $0.contains(id: id) }.count, 1, "\(id) in \(n) parts")
            }
        }
    }

    func testRejectionsWithoutAnIDBelongToPartOne() throws {
        let bare = RejectedRow(source: "r.csv", line: 3, field: nil, error: QRCertError(.records, "REC_RAGGED", "row has 8 fields"))
        let owners = try (1...3).filter { try Partition("\($0)/3").owns(bare) }
        XCTAssertEqual(owners, [1])
        var withID = bare
        withID.id = "079200000001"
        XCTAssertEqual(try (1...3).filter { try Partition("\($0)/3").owns(withID) }, [3])
    }

    func testBadPartitionsAreUsageErrors() {
        for text in ["0/3", "4/3", "1/0", "3", "1/3/5", "-1/3", "a/b", "", "1/", "/3", "1/2000000", "１/3"] {
            XCTAssertThrowsError(try Partition(text), text) { error in
                XCTAssertEqual((error as? QRCertError)?.code, "USAGE", text)
            }
        }
        XCTAssertEqual(try Partition("7/7").description, "7/7")
    }
}

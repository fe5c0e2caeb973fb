@testable import QRCert
import XCTest

/// The buffer answers are rendered into: every piece lands in order, however often it grows.
final class WriteBufferTests: XCTestCase {
    func testPiecesInOrderAcrossGrowth() {
        let buffer = WriteBuffer(capacity: 1)  // 64 bytes at least; grows many times below
        var expected: [UInt8] = []
        for round in 0..<300 {
            buffer.append(UInt8(round % 256))
            expected.append(UInt8(round % 256))
            buffer.append("key")
            expected += Array("key".utf8)
            buffer.append(utf8: "Hà Nội \(round)")
            expected += Array("Hà Nội \(round)".utf8)
            buffer.append(repeating: 0x20, count: round % 5)
            expected += Array(repeating: 0x20, count: round % 5)
            let room = buffer.reserve(3)
            room[0] = 1; room[1] = 2
            buffer.commit(2)
            expected += [1, 2]
            buffer.append(contentsOf: [9, 8, 7])
            expected += [9, 8, 7]
        }
        XCTAssertEqual(buffer.count, expected.count)
        XCTAssertEqual(buffer.bytes, expected)
        buffer.withUnsafeBytes { XCTAssertEqual(Array($0), expected) }
        buffer.removeAll()
        XCTAssertTrue(buffer.isEmpty)
        buffer.append(utf8: "again")
        XCTAssertEqual(buffer.bytes, Array("again".utf8))
    }
}

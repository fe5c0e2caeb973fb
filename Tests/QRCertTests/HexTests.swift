import XCTest
@testable import QRCert

final class HexTests: XCTestCase {
    /// The bytes `verify --json` appends for a key id or cti are the string `Hex.encode` gives, and decode back.
    func testHexIntoABufferIsTheString() {
        for bytes: [UInt8] in [[], [0x00], [0x0f, 0xf0], [0x00, 0xcb, 0xe7, 0x5e, 0xa6, 0xb0, 0xf9, 0xfc], Array(0...255)] {
            var out: [UInt8] = Array("x".utf8)
            Hex.encode(bytes, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + Hex.encode(bytes))
            XCTAssertEqual(Hex.decode(String(decoding: out.dropFirst(), as: UTF8.self)), bytes)
        }
        XCTAssertEqual(Hex.encode([0x00, 0xcb, 0xe7, 0x5e]), "00cbe75e")
    }
}

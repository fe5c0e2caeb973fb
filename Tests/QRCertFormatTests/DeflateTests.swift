import Foundation
import XCTest
@testable import QRCertFormat

final class DeflateTests: XCTestCase {
    private func assertCode(
        _ bytes: [UInt8], limit: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try Deflate.inflate(bytes, limit: limit), file: file, line: line) { error in
            XCTAssertEqual((error as? QRCertError)?.code, code, file: file, line: line)
            XCTAssertEqual((error as? QRCertError)?.stage, .zlib, file: file, line: line)
        }
    }

    /// Not random, not compressible either: a linear congruential sequence.
    private func noise(_ count: Int) -> [UInt8] {
        var state: UInt32 = 12345
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }

    // MARK: Known streams

    func testInflatesStreamFromAnotherZlibUser() throws {
        // "hello" compressed by CPython's zlib.compress at its default level.
        let stream: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15]
        XCTAssertEqual(try Deflate.inflate(stream, limit: 100), Array("hello".utf8))
    }

    func testCompressIsZlibFormatAtLevel9() {
        // RFC 1950 header: CM 8, 32 KiB window, FLEVEL 3 (maximum compression).
        XCTAssertEqual(Deflate.compress(Array("hello".utf8)),
                       [0x78, 0xDA, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15])
        XCTAssertEqual(Deflate.compress([]), [0x78, 0xDA, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
    }

    // MARK: Round trips

    func testRoundTripSizesAndLevels() throws {
        for count in [0, 1, 2, 255, 4096, 100_000] {
            let input = noise(count)
            for level: Int32 in [-1, 0, 1, 6, 9] {
                let packed = Deflate.compress(input, level: level)
                XCTAssertEqual(try Deflate.inflate(packed, limit: count), input, "count \(count) level \(level)")
            }
        }
    }

    func testCompressesRepetitiveInput() throws {
        let input = [UInt8](repeating: 0x41, count: 10_000)
        let packed = Deflate.compress(input)
        XCTAssertLessThan(packed.count, 100)
        XCTAssertEqual(try Deflate.inflate(packed, limit: 10_000), input)
    }

    func testConcurrentCallsAreIndependent() {
        let inputs = (0..<16).map { noise(500 + $0 * 100) }
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let input = inputs[i % inputs.count]
            if (try? Deflate.inflate(Deflate.compress(input), limit: input.count)) != input {
                failures.increment()
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    // MARK: Limit

    func testZeroBombRefused() throws {
        let bomb = Deflate.compress([UInt8](repeating: 0, count: 1 << 20))
        XCTAssertLessThan(bomb.count, 2048)
        assertCode(bomb, limit: 64 << 10, "ZLIB_TOO_LARGE")
    }

    func testLimitIsInclusive() throws {
        let input = noise(1000)
        let packed = Deflate.compress(input)
        XCTAssertEqual(try Deflate.inflate(packed, limit: 1000), input)
        assertCode(packed, limit: 999, "ZLIB_TOO_LARGE")
        assertCode(packed, limit: 0, "ZLIB_TOO_LARGE")
        XCTAssertEqual(try Deflate.inflate(Deflate.compress([]), limit: 0), [])
    }

    // MARK: Bad input

    func testTruncatedStreamsRejected() {
        let packed = Deflate.compress(noise(3000))
        for cut in [0, 1, 2, 10, packed.count / 2, packed.count - 4, packed.count - 1] {
            assertCode(Array(packed.prefix(cut)), limit: 10_000, "ZLIB_BAD_DATA")
        }
    }

    func testTrailingBytesRejected() {
        let packed = Deflate.compress(Array("hello".utf8))
        assertCode(packed + [0x00], limit: 100, "ZLIB_TRAILING_BYTES")
        assertCode(packed + packed, limit: 100, "ZLIB_TRAILING_BYTES")
    }

    func testCorruptStreamsRejected() {
        let packed = Deflate.compress(Array("hello, hello, hello".utf8))
        var badHeader = packed
        badHeader[1] ^= 0x01  // header check bits (RFC 1950 FCHECK)
        assertCode(badHeader, limit: 100, "ZLIB_BAD_DATA")
        var badChecksum = packed
        badChecksum[badChecksum.count - 1] ^= 0xFF  // Adler-32
        assertCode(badChecksum, limit: 100, "ZLIB_BAD_DATA")
        // Raw deflate or gzip are not zlib.
        assertCode([0x1F, 0x8B, 0x08, 0x00], limit: 100, "ZLIB_BAD_DATA")
        // FDICT set: a preset dictionary is never part of the format.
        assertCode([0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00], limit: 100, "ZLIB_BAD_DATA")
    }

    // MARK: A reused stream

    /// One `Inflater` through good, corrupt, truncated, oversized and trailing-byte inputs in turn: each answer
    /// (bytes, or stage and code) is `Deflate.inflate`'s, so a failure never leaks into the next input.
    func testReusedInflaterAnswersAsAFreshStreamEveryTime() throws {
        let inflater = Inflater()
        let good = Deflate.compress(noise(3000))
        var corrupt = good
        corrupt[4] ^= 0xFF
        let inputs: [([UInt8], Int)] = [
            (good, 4000), (corrupt, 4000), (good, 4000), (Array(good.prefix(good.count / 2)), 4000), (good, 4000),
            (Deflate.compress([UInt8](repeating: 0, count: 10_000)), 5000), (good + [0], 4000), (good, 3000),
            (Deflate.compress([]), 10), (good, 2999),
        ]
        for (number, (bytes, limit)) in inputs.enumerated() {
            let fresh = Result { () throws(QRCertError) in try Deflate.inflate(bytes, limit: limit) }
            let reused = Result { () throws(QRCertError) in try inflater.inflate(bytes, limit: limit) }
            switch (fresh, reused) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a, b, "input \(number)")
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual([a.stage.rawValue, a.code, a.message], [b.stage.rawValue, b.code, b.message], "input \(number)")
            default:
                XCTFail("input \(number): fresh \(fresh), reused \(reused)")
            }
        }
        XCTAssertEqual(try inflater.inflate(good, limit: 3000), noise(3000))
        XCTAssertThrowsError(try inflater.inflate(good, limit: 2999)) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "ZLIB_TOO_LARGE")
        }
        XCTAssertThrowsError(try inflater.inflate(corrupt, limit: 4000)) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "ZLIB_BAD_DATA")
        }
    }
}

/// A counter the concurrent test can bump from any thread.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}

import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Every resource bound of docs/HOSTILE.md, tested at its edge: the limit itself passes, one more fails
/// with its code and exact message, and nothing is allocated or read past the limit first.
final class BoundsTests: XCTestCase {
    // MARK: Payload text

    func testPayloadLengthLimitIsTheCapacityOfAVersion40Code() throws {
        XCTAssertEqual(Payload.Limits.standard.maxTextLength, 4296)
        // At the limit the text is read on (and fails later, at zlib: zero bytes are not a zlib stream).
        let atLimit = "QC1:" + String(repeating: "0", count: 4292)
        assertQRCertError(.zlib, "ZLIB_BAD_DATA") { try Payload.decode(atLimit) }
        assertQRCertError(.prefix, "PAYLOAD_TOO_LONG", message: "payload is 4297 bytes, more than the limit of 4296") {
            try Payload.decode(atLimit + "A")
        }
        // Bytes, not characters: "QC1:" and 1 433 three-byte characters are 4 303 bytes.
        assertQRCertError(.prefix, "PAYLOAD_TOO_LONG", message: "payload is 4303 bytes, more than the limit of 4296") {
            try Payload.decode("QC1:" + String(repeating: "ệ", count: 1433))
        }
    }

    func testAnOverlongPayloadIsRefusedBeforeItsPrefixIsRead() {
        assertQRCertError(.prefix, "PAYLOAD_TOO_LONG") { try Payload.decode(String(repeating: "x", count: 10_000)) }
    }

    // MARK: Base45: canonical only

    func testBase45GroupsThatOverflowAreErrorsNotTakenModulo() throws {
        // "FGW" = 15 + 16*45 + 32*45^2 = 65535, the largest triple; "GGW" is 65536.
        XCTAssertEqual(try Base45.decode("FGW"), [0xFF, 0xFF])
        assertQRCertError(.base45, "B45_OVERFLOW", message: "base45 group at offset 0 has value 65536, more than 65535") {
            try Base45.decode("GGW")
        }
        // "U5" = 30 + 5*45 = 255, the largest pair; "V5" is 256.
        XCTAssertEqual(try Base45.decode("U5"), [0xFF])
        assertQRCertError(.base45, "B45_OVERFLOW", message: "base45 group at offset 3 has value 256, more than 255") {
            try Base45.decode("000V5")
        }
        // The largest possible triple, ":::", is 91124: never wrapped to 25588.
        assertQRCertError(.base45, "B45_OVERFLOW", message: "base45 group at offset 0 has value 91124, more than 65535") {
            try Base45.decode(":::")
        }
    }

    func testBase45RejectsALengthThatLeavesOneCharacter() {
        assertQRCertError(.base45, "B45_BAD_LENGTH",
                          message: "invalid base45 length 4: a single character cannot end the text") { try Base45.decode("0000") }
    }

    func testBase45RejectsEverythingOutsideTheAlphabet() {
        for (text, shown) in [("00a", "'a'"), ("0 0\n", "U+000A"), ("00\t", "U+0009"), ("0é0", "U+00E9"), ("00=", "'='")] {
            let offset = text.unicodeScalars.firstIndex { !"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".unicodeScalars.contains($0) }
                .map { text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: $0) } ?? -1
            assertQRCertError(.base45, "B45_BAD_CHAR", message: "invalid base45 character \(shown) at offset \(offset)") {
                try Base45.decode(text)
            }
        }
    }

    /// Canonical means one text per byte string: every text that decodes re-encodes to itself.
    func testEveryBase45TextThatDecodesReencodesToItself() throws {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
        var generator = SplitMix64(seed: 9285)
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 12)
            let text = String((0..<count).map { _ in alphabet[Int(generator.next() % 45)] })
            guard let bytes = try? Base45.decode(text) else { continue }
            decoded += 1
            XCTAssertEqual(Base45.encode(bytes), text)
        }
        XCTAssertGreaterThan(decoded, 1000)
    }

    // MARK: zlib

    func testInflatedSizeLimitIsExact() throws {
        XCTAssertEqual(Payload.Limits.standard.maxInflatedSize, 65_536)
        let exact = Deflate.compress([UInt8](repeating: 7, count: 65_536))
        XCTAssertEqual(try Deflate.inflate(exact, limit: 65_536).count, 65_536)
        let over = Deflate.compress([UInt8](repeating: 7, count: 65_537))
        assertQRCertError(.zlib, "ZLIB_TOO_LARGE", message: "zlib data inflates to more than 65536 bytes") {
            try Deflate.inflate(over, limit: 65_536)
        }
    }

    /// A bomb is refused as soon as the output passes the cap: the stream's end (here corrupted) is never reached.
    func testZlibBombIsRefusedAfterAtMostTheCap() throws {
        var bomb = Deflate.compress([UInt8](repeating: 0, count: 4 << 20), level: 9)
        XCTAssertLessThan(bomb.count, 5_000)
        // Break the Adler-32 trailer: only a decoder that reads to the end can notice.
        for index in bomb.count - 4 ..< bomb.count { bomb[index] ^= 0xFF }
        assertQRCertError(.zlib, "ZLIB_BAD_DATA", message: "zlib data is corrupt: incorrect data check") {
            try Deflate.inflate(bomb, limit: 4 << 20)
        }
        assertQRCertError(.zlib, "ZLIB_TOO_LARGE", message: "zlib data inflates to more than 65536 bytes") {
            try Deflate.inflate(bomb, limit: 65_536)
        }
        assertQRCertError(.zlib, "ZLIB_TOO_LARGE", message: "zlib data inflates to more than 0 bytes") {
            try Deflate.inflate(bomb, limit: 0)
        }
    }

    func testZlibBombInsideAScannablePayloadIsRefused() throws {
        // 2 MB of zeros compress to about 2 KB: a payload that fits a QR code and would inflate 30 times past the cap.
        let compressed = Deflate.compress([UInt8](repeating: 0, count: 2_000_000))
        let text = "QC1:" + Base45.encode(compressed)
        XCTAssertLessThanOrEqual(text.utf8.count, 4296)
        assertQRCertError(.zlib, "ZLIB_TOO_LARGE", message: "zlib data inflates to more than 65536 bytes") {
            try Payload.decode(text)
        }
        let verdict = try TestFixtures.verifier(trusting: ["ed25519"]).verify(text, at: 1_772_330_400)
        XCTAssertEqual(verdict.failures.map(\.code), ["ZLIB_TOO_LARGE"])
    }

    func testZlibTrailingBytesAndTruncation() throws {
        let stream = Deflate.compress(Array("qrcert".utf8))
        assertQRCertError(.zlib, "ZLIB_TRAILING_BYTES", message: "2 bytes follow the end of the zlib stream") {
            try Deflate.inflate(stream + [0, 0], limit: 100)
        }
        assertQRCertError(.zlib, "ZLIB_BAD_DATA", message: "zlib data is truncated: the input ends before the stream does") {
            try Deflate.inflate(Array(stream.dropLast(3)), limit: 100)
        }
    }

    // MARK: CBOR

    private func nested(_ depth: Int, open: UInt8 = 0x81) -> [UInt8] {
        [UInt8](repeating: open, count: depth) + [0x00]
    }

    func testCBORNestingDepthLimit() throws {
        XCTAssertEqual(CBORDecoder.Options.strict.maxDepth, 16)
        XCTAssertNoThrow(try CBORDecoder.decode(nested(16)))
        assertQRCertError(.cbor, "CBOR_TOO_DEEP", message: "cbor nesting is deeper than 16 (at byte 16)") {
            try CBORDecoder.decode(nested(17))
        }
        // Tags and maps count as levels too.
        XCTAssertNoThrow(try CBORDecoder.decode(nested(16, open: 0xC1)))
        assertQRCertError(.cbor, "CBOR_TOO_DEEP", message: "cbor nesting is deeper than 16 (at byte 16)") {
            try CBORDecoder.decode(nested(17, open: 0xC1))
        }
        let maps = [UInt8]((0..<17).flatMap { _ in [0xA1, 0x00] }) + [0x00]
        assertQRCertError(.cbor, "CBOR_TOO_DEEP", message: "cbor nesting is deeper than 16 (at byte 32)") {
            try CBORDecoder.decode(maps)
        }
    }

    /// Depth is checked on the way down, so a very deep input fails at the limit instead of exhausting the stack.
    func testAMillionNestedArraysFailAtTheDepthLimit() {
        assertQRCertError(.cbor, "CBOR_TOO_DEEP", message: "cbor nesting is deeper than 16 (at byte 16)") {
            try CBORDecoder.decode(nested(1_000_000))
        }
        let lenient = CBORDecoder.Options.lenient
        assertQRCertError(.cbor, "CBOR_TOO_DEEP", message: "cbor nesting is deeper than 64 (at byte 64)") {
            try CBORDecoder.decode([UInt8](repeating: 0x9F, count: 1_000_000), options: lenient)
        }
    }

    func testCBORItemCountLimit() throws {
        XCTAssertEqual(CBORDecoder.Options.strict.maxItems, 10_000)
        // An array of 9 999 zeros is 10 000 items.
        let atLimit: [UInt8] = [0x99, 0x27, 0x0F] + [UInt8](repeating: 0, count: 9_999)
        XCTAssertEqual(try CBORDecoder.decode(atLimit).arrayValue?.count, 9_999)
        let over: [UInt8] = [0x99, 0x27, 0x10] + [UInt8](repeating: 0, count: 10_000)
        assertQRCertError(.cbor, "CBOR_TOO_MANY_ITEMS", message: "cbor input has more than 10000 data items (at byte 10002)") {
            try CBORDecoder.decode(over)
        }
        // Map keys and values count one each.
        var map: [UInt8] = [0xB9, 0x13, 0x88]  // 5 000 pairs
        for key in 0..<5_000 { map += CBOREncoder.encode(.unsigned(UInt64(key))) + [0x00] }
        assertQRCertError(.cbor, "CBOR_TOO_MANY_ITEMS") { try CBORDecoder.decode(map) }
    }

    /// A claimed length is compared with the bytes left before anything is reserved.
    func testForgedLengthsFailWithoutAllocating() {
        for (bytes, message) in [
            ([0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] as [UInt8],
             "cbor array claims 18446744073709551615 entries but only 0 bytes remain (at byte 0)"),
            ([0xBA, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], "cbor map claims 4294967295 entries but only 2 bytes remain (at byte 0)"),
            ([0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
             "cbor string claims 9223372036854775807 bytes but only 1 remain (at byte 0)"),
        ] {
            assertQRCertError(.cbor, "CBOR_TRUNCATED", message: message) { try CBORDecoder.decode(bytes) }
        }
    }

    func testDefiniteLengthsOnly() {
        for (head, name) in [(0x9F, "array"), (0xBF, "map"), (0x5F, "byte string"), (0x7F, "text string")] as [(UInt8, String)] {
            assertQRCertError(.cbor, "CBOR_INDEFINITE",
                              message: "cbor item has an indefinite length, which is not allowed here (at byte 1)") {
                try CBORDecoder.decode([0x81, head, 0xFF], options: CBORDecoder.Options(maxDepth: 4))
            }
            XCTAssertNoThrow(try CBORDecoder.decode([0x81, head, 0xFF], options: .lenient), name)
        }
    }

    func testNoDuplicateMapKeys() {
        assertQRCertError(.cbor, "CBOR_DUPLICATE_KEY", message: "cbor map repeats a key (at byte 3)") {
            try CBORDecoder.decode([0xA2, 0x01, 0x01, 0x01, 0x02])
        }
        // Keys compare as values: the same text key twice, and structured keys.
        assertQRCertError(.cbor, "CBOR_DUPLICATE_KEY", message: "cbor map repeats a key (at byte 4)") {
            try CBORDecoder.decode([0xA2, 0x61, 0x61, 0x00, 0x61, 0x61, 0x01])
        }
        assertQRCertError(.cbor, "CBOR_DUPLICATE_KEY", message: "cbor map repeats a key (at byte 5)") {
            try CBORDecoder.decode([0xA2, 0x82, 0x01, 0x02, 0x00, 0x82, 0x01, 0x02, 0x01])
        }
        // 1 and -1 and "1" are different keys.
        XCTAssertNoThrow(try CBORDecoder.decode([0xA3, 0x01, 0x00, 0x20, 0x00, 0x61, 0x31, 0x00]))
    }

    func testNoTrailingBytes() {
        assertQRCertError(.cbor, "CBOR_TRAILING_BYTES", message: "cbor item ends at byte 1 but the input has 2 bytes") {
            try CBORDecoder.decode([0x00, 0x00])
        }
    }

    /// The COSE envelope around a signature is not signed: qrcert reads it only in preferred serialisation,
    /// so a message has exactly one encoding and re-encodes to the bytes that were read.
    func testCoseEnvelopeMustUsePreferredSerialisation() throws {
        let key = try TestFixtures.privateKey("ed25519")
        var message = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-8)), CBORPair(.int(4), .bytes(key.publicKey.keyID))],
                                payload: CBOREncoder.encode(.map([CBORPair(.int(1), .text("x"))])))
        message.signature = try key.sign(message.toBeSigned())
        let good = message.encoded()
        XCTAssertEqual(try CoseSign1.decode(good).encoded(), good)
        // The same message with the signature's length written in two bytes instead of one.
        let signatureHead = good.count - 64 - 2
        XCTAssertEqual(Array(good[signatureHead...].prefix(2)), [0x58, 0x40])
        let stretched = Array(good[..<signatureHead]) + [0x59, 0x00, 0x40] + Array(good[(signatureHead + 2)...])
        let text = "QC1:" + Base45.encode(Deflate.compress(stretched))
        assertQRCertError(.cbor, "CBOR_NOT_CANONICAL") { try Payload.decode(text) }
    }

    // MARK: Records

    private func csvLines(_ results: [RecordReadResult]) -> [String] { RecordText.summary(results) }

    func testCSVFieldLimitIsExactAndReadingGoesOn() throws {
        XCTAssertEqual(CSVRecordReader.Limits.standard.maxFieldBytes, 65_536)
        let ok = String(repeating: "x", count: 65_536), long = ok + "x"
        for quoted in [false, true] {
            let q = quoted ? "\"" : ""
            let text = "a,b\n\(q)\(ok)\(q),1\n\(q)\(long)\(q),2\nlast,3\n"
            let results = try RecordText.csv(text, in: self)
            XCTAssertEqual(results.count, 3)
            guard results.count == 3 else { continue }
            if case .row(let row) = results[0] { XCTAssertEqual(row["a"]?.utf8.count, 65_536) } else { XCTFail("\(results[0])") }
            XCTAssertEqual(csvLines([results[1]]), ["t.csv:3: a: field 1 is longer than 65536 bytes [REC_FIELD_TOO_LONG]"])
            XCTAssertEqual(csvLines([results[2]]), ["4 a=last|b=3"])
        }
    }

    func testCSVRowLimitIsExactAndReadingGoesOn() throws {
        XCTAssertEqual(CSVRecordReader.Limits.standard.maxRowBytes, 1_048_576)
        // 17 fields of 61 680 bytes and 16 commas: 1 048 576 bytes before the line ending, exactly the limit.
        let header = (1...17).map { "f\($0)" }.joined(separator: ",")
        let field = String(repeating: "y", count: 61_680)
        let atLimit = Array(repeating: field, count: 17).joined(separator: ",")
        let short = (1...17).map(String.init).joined(separator: ",")
        let results = try RecordText.csv([header, atLimit, atLimit + "y", short].joined(separator: "\n") + "\n", in: self)
        XCTAssertEqual(results.count, 3)
        guard results.count == 3 else { return }
        if case .row(let row) = results[0] { XCTAssertEqual(row.line, 2) } else { XCTFail("\(results[0])") }
        XCTAssertEqual(csvLines([results[1]]), ["t.csv:3: row is longer than 1048576 bytes [REC_ROW_TOO_LONG]"])
        if case .row(let row) = results[2] { XCTAssertEqual(row.line, 4) } else { XCTFail("\(results[2])") }
    }

    /// Quoted fields count toward the row too: 17 fields each at the field limit make a 1.1 MB row.
    func testCSVRowLimitHoldsForQuotedFields() throws {
        let header = (1...17).map { "f\($0)" }.joined(separator: ",")
        let quoted = "\"" + String(repeating: "q", count: 65_536) + "\""
        let long = Array(repeating: quoted, count: 17).joined(separator: ",")
        // A newline inside a quoted field of the refused row must not start a new record.
        let tail = Array(repeating: "\"a\nb\"", count: 17).joined(separator: ",")
        let short = (1...17).map(String.init).joined(separator: ",")
        let results = try RecordText.csv([header, long + "," + tail, short].joined(separator: "\n") + "\n", in: self)
        XCTAssertEqual(csvLines(results).first, "t.csv:2: row is longer than 1048576 bytes [REC_ROW_TOO_LONG]")
        XCTAssertEqual(results.count, 2, "\(csvLines(results).prefix(4))")
        if case .row(let row)? = results.last { XCTAssertEqual(row.line, 20) } else { XCTFail("\(String(describing: results.last))") }
    }

    func testCSVFieldCountLimit() throws {
        XCTAssertEqual(CSVRecordReader.Limits.standard.maxFields, 256)
        let header = (1...257).map { "f\($0)" }.joined(separator: ",")
        assertQRCertError(.records, "REC_TOO_MANY_FIELDS", message: "t.csv:1: row has more than 256 fields") {
            try RecordText.csv(header + "\n", in: self)
        }
        let fine = (1...256).map { "f\($0)" }.joined(separator: ",")
        let row = Array(repeating: "1", count: 256).joined(separator: ",")
        let extra = Array(repeating: "1", count: 257).joined(separator: ",")
        let results = try RecordText.csv(fine + "\n" + row + "\n" + extra + "\n", in: self)
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual(csvLines(Array(results.dropFirst())), ["t.csv:3: row has more than 256 fields [REC_TOO_MANY_FIELDS]"])
    }

    func testJSONRecordSizeLimit() throws {
        let value = String(repeating: "z", count: 600)
        let small = #"{"a":"\#(value)","b":"\#(value)"}"#
        var reader = JSONRecordReader(handle: try RecordText.handle(Array((small + "\n{\"a\":\"1\"}\n").utf8), in: self),
                                      source: "t.jsonl", layout: .lines, maxRecordBytes: 1_000)
        let results = try RecordText.drain(&reader)
        XCTAssertEqual(csvLines(results), ["t.jsonl:1: record is longer than 1000 bytes [REC_ROW_TOO_LONG]", "2 a=1"])

        var strings = JSONRecordReader(handle: try RecordText.handle(Array((#"{"a":"\#(value + value)"}"# + "\n").utf8), in: self),
                                       source: "t.jsonl", layout: .lines, maxRecordBytes: 1_000)
        XCTAssertEqual(csvLines(try RecordText.drain(&strings)), ["t.jsonl:1: string is longer than 1000 bytes [REC_FIELD_TOO_LONG]"])
    }

    func testJSONLinesHoldOneRecordPerLine() throws {
        let results = try RecordText.json("{\"a\":\"1\"} {\"a\":\"2\"}\n{\"a\":\"3\"}\n", layout: .lines, source: "t.jsonl", in: self)
        XCTAssertEqual(csvLines(results), ["t.jsonl:1: text after the object on the same line [REC_BAD_JSON]", "2 a=3"])
    }

    func testJSONNestingInASkippedValueIsBounded() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let results = try RecordText.json("{\"a\":\(deep)}\n{\"a\":\"2\"}\n", layout: .lines, source: "t.jsonl", in: self)
        XCTAssertEqual(csvLines(results), ["t.jsonl:1: nesting too deep [REC_BAD_JSON]", "2 a=2"])
    }
}

/// A small deterministic generator (SplitMix64), so property loops are the same on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

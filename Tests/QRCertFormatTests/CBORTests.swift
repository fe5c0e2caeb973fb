import Foundation
import XCTest
@testable import QRCertFormat

final class CBORTests: XCTestCase {
    // MARK: Helpers

    private func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16) ?? 0 }
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private func assertCode(
        _ hexInput: String, _ code: String, options: CBORDecoder.Options = .strict,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try CBORDecoder.decode(bytes(hexInput), options: options), hexInput, file: file, line: line) { error in
            XCTAssertEqual((error as? QRCertError)?.code, code, hexInput, file: file, line: line)
            XCTAssertEqual((error as? QRCertError)?.stage, .cbor, file: file, line: line)
        }
    }

    /// `../shared/vectors/...` beside the package root, found from this file's path.
    private func sharedVector(_ relativePath: String) throws -> Data {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors/\(relativePath)")
        return try Data(contentsOf: url)
    }

    // MARK: RFC 8949 Appendix A

    /// A JSON value of the vectors' `decoded` field; numbers keep both an exact and a binary form.
    private indirect enum JSONValue: Decodable {
        case null
        case bool(Bool)
        /// `exact` is nil beyond `Decimal`'s range (1e300).
        case number(exact: Decimal?, binary: Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let b = try? container.decode(Bool.self) {
                self = .bool(b)
            } else if let x = try? container.decode(Double.self) {
                self = .number(exact: try? container.decode(Decimal.self), binary: x)
            } else if let s = try? container.decode(String.self) {
                self = .string(s)
            } else if let a = try? container.decode([JSONValue].self) {
                self = .array(a)
            } else {
                self = .object(try container.decode([String: JSONValue].self))
            }
        }
    }

    private struct AppendixAItem: Decodable {
        var hex: String
        var roundtrip: Bool
        /// nil when absent; `.null` when the item decodes to null.
        var decoded: JSONValue?
        var diagnostic: String?

        enum CodingKeys: String, CodingKey { case hex, roundtrip, decoded, diagnostic }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            hex = try c.decode(String.self, forKey: .hex)
            roundtrip = try c.decode(Bool.self, forKey: .roundtrip)
            decoded = c.contains(.decoded) ? try c.decode(JSONValue.self, forKey: .decoded) : nil
            diagnostic = try c.decodeIfPresent(String.self, forKey: .diagnostic)
        }
    }

    private func loadAppendixA() throws -> [AppendixAItem] {
        try JSONDecoder().decode([AppendixAItem].self, from: sharedVector("cbor/appendix_a.json"))
    }

    /// Big-endian magnitude bytes of a bignum (tags 2 and 3) as an exact decimal.
    private func magnitude(_ bytes: [UInt8]) -> Decimal {
        bytes.reduce(Decimal(0)) { $0 * 256 + Decimal($1) }
    }

    /// Whether a decoded item equals the vector's JSON value (maps by key, floats by value).
    private func matches(_ item: CBOR, _ json: JSONValue) -> Bool {
        switch (item, json) {
        case (.null, .null):
            return true
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.unsigned(let n), .number(let exact, _)):
            return Decimal(n) == exact
        case (.negative(let n), .number(let exact, _)):
            return -1 - Decimal(n) == exact
        case (.tagged(2, .bytes(let b)), .number(let exact, _)):
            return magnitude(b) == exact
        case (.tagged(3, .bytes(let b)), .number(let exact, _)):
            return -1 - magnitude(b) == exact
        case (.float(let x), .number(_, let binary)):
            return x == binary && x.sign == binary.sign
        case (.text(let a), .string(let b)):
            return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
        case (.map(let pairs), .object(let object)):
            return pairs.count == object.count && pairs.allSatisfy { pair in
                guard let key = pair.key.textValue, let value = object[key] else { return false }
                return matches(pair.value, value)
            }
        default:
            return false
        }
    }

    /// RFC 8949 §8 diagnostic notation, for the vectors that give only that.
    private func diagnostic(_ item: CBOR) -> String {
        switch item {
        case .unsigned(let n):
            return "\(n)"
        case .negative(let n):
            return n == .max ? "-18446744073709551616" : "-\(n + 1)"
        case .bytes(let b):
            return "h'\(hex(b))'"
        case .text(let s):
            return "\"\(s)\""
        case .array(let a):
            return "[" + a.map(diagnostic).joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.map { "\(diagnostic($0.key)): \(diagnostic($0.value))" }.joined(separator: ", ") + "}"
        case .tagged(let tag, let content):
            return "\(tag)(\(diagnostic(content)))"
        case .bool(let b):
            return b ? "true" : "false"
        case .null:
            return "null"
        case .undefined:
            return "undefined"
        case .simple(let n):
            return "simple(\(n))"
        case .float(let x):
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
            return "\(x)"
        }
    }

    func testAppendixADecodesAndRoundTrips() throws {
        // RFC 8949 §3.3 made 0xF8 followed by a value below 32 not well-formed; the vector comes from RFC 7049.
        let notWellFormed: Set<String> = ["f818"]
        // Chunks of an indefinite-length string are joined into one value by design.
        let joined: [String: String] = ["5f42010243030405ff": "h'0102030405'"]

        let items = try loadAppendixA()
        XCTAssertEqual(items.count, 82)
        var checked = 0
        var roundTripped = 0
        for vector in items {
            let input = bytes(vector.hex)
            if notWellFormed.contains(vector.hex) {
                assertCode(vector.hex, "CBOR_RESERVED", options: .lenient)
                continue
            }
            let item: CBOR
            do {
                item = try CBORDecoder.decode(input, options: .lenient)
            } catch {
                XCTFail("\(vector.hex): \(error)")
                continue
            }
            if let expected = vector.decoded {
                XCTAssertTrue(matches(item, expected), "\(vector.hex) decoded to \(item), expected \(expected)")
                checked += 1
            } else if let expected = vector.diagnostic {
                XCTAssertEqual(diagnostic(item), joined[vector.hex] ?? expected, vector.hex)
                checked += 1
            } else {
                XCTFail("\(vector.hex) has neither decoded nor diagnostic")
            }
            if vector.roundtrip {
                XCTAssertEqual(hex(CBOREncoder.encode(item, deterministic: false)), vector.hex, "round trip")
                // Appendix A's round-trip items are all in core deterministic form too.
                XCTAssertEqual(hex(CBOREncoder.encode(item)), vector.hex, "deterministic")
                roundTripped += 1
            }
        }
        XCTAssertEqual(checked, 81)
        XCTAssertEqual(roundTripped, 64)
    }

    func testAppendixAFloatsKeepSignAndNaN() throws {
        XCTAssertEqual(try CBORDecoder.decode(bytes("f98000")).testFloat?.sign, .minus)
        XCTAssertEqual(try CBORDecoder.decode(bytes("f90001")).testFloat, 0x1p-24)
        for nan in ["f97e00", "fa7fc00000", "fb7ff8000000000000"] {
            XCTAssertEqual(try CBORDecoder.decode(bytes(nan)).testFloat?.isNaN, true, nan)
            // Every quiet NaN without payload has the one shortest form.
            XCTAssertEqual(hex(CBOREncoder.encode(try CBORDecoder.decode(bytes(nan)))), "f97e00")
        }
        for (long, short) in [("fa7f800000", "f97c00"), ("fbfff0000000000000", "f9fc00")] {
            XCTAssertEqual(hex(CBOREncoder.encode(try CBORDecoder.decode(bytes(long)))), short)
        }
    }

    // MARK: Strict decoding

    func testIndefiniteLengthRejectedByDefault() {
        for input in ["9fff", "5f42010243030405ff", "7f657374726561646d696e67ff", "bf6346756ef563416d7421ff", "83019f0203ff820405"] {
            assertCode(input, "CBOR_INDEFINITE")
        }
    }

    func testDuplicateKeysRejectedByDefault() throws {
        assertCode("a201020103", "CBOR_DUPLICATE_KEY")
        assertCode("a2616101616102", "CBOR_DUPLICATE_KEY")
        assertCode("a1 01 a2 820102 00 820102 01", "CBOR_DUPLICATE_KEY")
        // Same value under a longer encoding is still the same key.
        assertCode("a2 01 00 1801 00", "CBOR_DUPLICATE_KEY")
        // 1 and -2, 1 and "1", 1 and 1.0 are different keys.
        XCTAssertEqual(try CBORDecoder.decode(bytes("a3 01 00 21 00 6131 00")).mapValue?.count, 3)
        XCTAssertEqual(try CBORDecoder.decode(bytes("a2 01 00 f93c00 00")).mapValue?.count, 2)
        XCTAssertEqual(
            try CBORDecoder.decode(bytes("a201020103"), options: .lenient),
            .map([CBORPair(.unsigned(1), .unsigned(2)), CBORPair(.unsigned(1), .unsigned(3))])
        )
    }

    func testTrailingBytesRejected() {
        assertCode("0000", "CBOR_TRAILING_BYTES")
        assertCode("8101ff", "CBOR_TRAILING_BYTES")
        assertCode("a0a0", "CBOR_TRAILING_BYTES", options: .lenient)
    }

    func testDepthLimit() throws {
        let sixteen = String(repeating: "81", count: 16) + "00"
        let seventeen = String(repeating: "81", count: 17) + "00"
        XCTAssertNoThrow(try CBORDecoder.decode(bytes(sixteen)))
        assertCode(seventeen, "CBOR_TOO_DEEP")
        assertCode(String(repeating: "a1 00", count: 17) + "00", "CBOR_TOO_DEEP")
        // Tags nest too, or a chain of them would recurse without bound.
        assertCode(String(repeating: "c1", count: 17) + "00", "CBOR_TOO_DEEP")
        XCTAssertNoThrow(try CBORDecoder.decode(bytes(seventeen), options: .lenient))
        assertCode(seventeen, "CBOR_TOO_DEEP", options: CBORDecoder.Options(maxDepth: 3))
    }

    func testItemLimit() throws {
        let options = CBORDecoder.Options(maxItems: 4)
        XCTAssertEqual(try CBORDecoder.decode(bytes("83010203"), options: options).arrayValue?.count, 3)
        assertCode("8401020304", "CBOR_TOO_MANY_ITEMS", options: options)
        assertCode("a2 01 02 03 04", "CBOR_TOO_MANY_ITEMS", options: options)
        assertCode("82 c1 01 c1 01", "CBOR_TOO_MANY_ITEMS", options: options)
    }

    func testHugeLengthsFailTruncatedBeforeAllocating() {
        assertCode("5bffffffffffffffff", "CBOR_TRUNCATED")
        assertCode("7bffffffffffffffff", "CBOR_TRUNCATED")
        assertCode("9bffffffffffffffff", "CBOR_TRUNCATED")
        assertCode("bbffffffffffffffff", "CBOR_TRUNCATED")
        assertCode("5b7fffffffffffffff00", "CBOR_TRUNCATED")
        assertCode("5affffffff00", "CBOR_TRUNCATED")
        // A map of n pairs needs at least 2n bytes.
        assertCode("a2 01 02 03", "CBOR_TRUNCATED")
        assertCode("a3 01 02 03 04 05", "CBOR_TRUNCATED")
    }

    func testTruncatedInput() {
        for input in ["", "18", "1901", "1a000000", "1b00000000000000", "4301", "6261", "8201", "a101", "c1", "f9", "fa0000"] {
            assertCode(input, "CBOR_TRUNCATED")
        }
        assertCode("9f01", "CBOR_TRUNCATED", options: .lenient)
        assertCode("5f4101", "CBOR_TRUNCATED", options: .lenient)
    }

    func testBadUTF8Rejected() {
        assertCode("62c328", "CBOR_BAD_UTF8")  // bad continuation
        assertCode("62c080", "CBOR_BAD_UTF8")  // overlong NUL
        assertCode("63eda080", "CBOR_BAD_UTF8")  // UTF-16 surrogate
        assertCode("61ff", "CBOR_BAD_UTF8")
        assertCode("a1 61ff 00", "CBOR_BAD_UTF8")
        // RFC 8949 §3.2.3: each chunk is valid UTF-8 on its own, even if the joined bytes would be.
        assertCode("7f 61c3 61bc ff", "CBOR_BAD_UTF8", options: .lenient)
    }

    /// A text string is accepted exactly when the standard library judges its bytes well-formed UTF-8: every
    /// sequence of up to three bytes drawn from the lead and continuation boundaries, and four-byte ones around U+10000
    /// and U+10FFFF.
    func testTextAcceptedExactlyWhenWellFormedUTF8() {
        let bytes: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                              0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var sequences: [[UInt8]] = bytes.map { [$0] }
        for a in bytes { for b in bytes { sequences.append([a, b]) } }
        for a in bytes where a >= 0xC2 { for b in bytes { for c in bytes { sequences.append([a, b, c]) } } }
        for a: UInt8 in [0xF0, 0xF1, 0xF3, 0xF4, 0xF5] {
            for b in bytes { for c: UInt8 in [0x80, 0xBF, 0x41] { for d: UInt8 in [0x80, 0xBF, 0x41, 0xC2] { sequences.append([a, b, c, d]) } } }
        }
        var accepted = 0
        for sequence in sequences {
            let encoded = [0x60 | UInt8(sequence.count)] + sequence
            let name = encoded.map { String(format: "%02x", $0) }.joined()
            let decoded = Result { () throws(QRCertError) in try CBORDecoder.decode(encoded) }
            if let expected = String(validating: sequence, as: UTF8.self) {
                XCTAssertEqual(try? decoded.get(), .text(expected), name)
                accepted += 1
            } else {
                guard case .failure(let error) = decoded else { XCTFail("\(name) decoded: \(decoded)"); continue }
                XCTAssertEqual(error.code, "CBOR_BAD_UTF8", name)
            }
        }
        XCTAssertGreaterThan(accepted, 300)
        XCTAssertGreaterThan(sequences.count - accepted, 5_000)
    }

    func testNonPreferredHeadsOnlyRejectedWhenRequired() throws {
        let required = CBORDecoder.Options(requirePreferredEncoding: true)
        for input in ["1817", "190017", "1900ff", "1a0000ffff", "1b00000000ffffffff", "3817", "580100", "7800", "9800", "b800", "d81701", "d9001801", "f8ff"] {
            if input == "f8ff" {
                // Simple values are not heads with a shorter choice: f8ff is the only form of simple(255).
                XCTAssertEqual(try CBORDecoder.decode(bytes(input), options: required), .simple(255))
                continue
            }
            assertCode(input, "CBOR_NOT_CANONICAL", options: required)
            XCTAssertNoThrow(try CBORDecoder.decode(bytes(input)), input)
        }
        XCTAssertEqual(try CBORDecoder.decode(bytes("1817")), .unsigned(23))
        for input in ["17", "1818", "190100", "1a00010000", "1b0000000100000000", "3818", "5818" + String(repeating: "00", count: 24)] {
            XCTAssertNoThrow(try CBORDecoder.decode(bytes(input), options: required), input)
        }
        // Floats too (RFC 8949 §4.1): a double or single that a shorter form holds exactly.
        for input in ["fb3ff0000000000000", "fa3f800000", "fa7fc00000", "fb7ff8000000000000", "fbfff0000000000000", "fb3ff8000000000000"] {
            assertCode(input, "CBOR_NOT_CANONICAL", options: required)
            XCTAssertNoThrow(try CBORDecoder.decode(bytes(input)), input)
        }
        for input in ["f93c00", "fa47c35000", "fb3ff199999999999a", "fa7f800001", "fb7ff0000000000001"] {
            XCTAssertNoThrow(try CBORDecoder.decode(bytes(input), options: required), input)
        }
    }

    func testPreferredDefiniteInputReencodesToTheSameBytes() throws {
        let required = CBORDecoder.Options(requirePreferredEncoding: true)
        let items = try loadAppendixA().filter { $0.roundtrip && !$0.hex.hasPrefix("f818") }
        XCTAssertFalse(items.isEmpty)
        for vector in items {
            let input = bytes(vector.hex)
            let item = try CBORDecoder.decode(input, options: required)
            XCTAssertEqual(CBOREncoder.encode(item, deterministic: false), input, vector.hex)
        }
        // Out of order keys are preferred serialisation but not deterministic: the bytes still survive.
        let unsorted = bytes("a2 6162 01 6161 02")
        XCTAssertEqual(CBOREncoder.encode(try CBORDecoder.decode(unsorted, options: required), deterministic: false), unsorted)
    }

    func testReservedAndMalformedHeads() {
        for input in ["1c", "1d", "1e", "3c", "5c", "7d", "9e", "bc", "dc", "fc", "fd", "fe"] {
            assertCode(input, "CBOR_RESERVED")
        }
        // Indefinite length is meaningless for integers and tags.
        assertCode("1f", "CBOR_RESERVED", options: .lenient)
        assertCode("3f", "CBOR_RESERVED", options: .lenient)
        assertCode("df00", "CBOR_RESERVED", options: .lenient)
        // Two-byte simple values below 32 are not well-formed (RFC 8949 §3.3).
        assertCode("f800", "CBOR_RESERVED")
        assertCode("f81f", "CBOR_RESERVED")
    }

    func testBreakOutsideIndefiniteItem() {
        assertCode("ff", "CBOR_UNEXPECTED_BREAK")
        assertCode("ff", "CBOR_UNEXPECTED_BREAK", options: .lenient)
        assertCode("8201ff", "CBOR_UNEXPECTED_BREAK")
        assertCode("bf01ff", "CBOR_UNEXPECTED_BREAK", options: .lenient)
    }

    func testIndefiniteStringChunksMustMatch() {
        assertCode("5f 6161 ff", "CBOR_INDEFINITE", options: .lenient)
        assertCode("7f 4161 ff", "CBOR_INDEFINITE", options: .lenient)
        assertCode("5f 5f ff ff", "CBOR_INDEFINITE", options: .lenient)
        assertCode("5f 01 ff", "CBOR_INDEFINITE", options: .lenient)
    }

    func testErrorsNameTheByteOffset() {
        XCTAssertThrowsError(try CBORDecoder.decode(bytes("8301 02 62c328"))) { error in
            XCTAssertEqual((error as? QRCertError)?.message, "cbor text string is not valid utf-8 (at byte 3)")
        }
    }

    // MARK: decodePrefix

    func testDecodePrefixReportsTheSpan() throws {
        let input = bytes("83010203 4401020304 ff")
        let (first, used) = try CBORDecoder.decodePrefix(input[...])
        XCTAssertEqual(first, .array([.int(1), .int(2), .int(3)]))
        XCTAssertEqual(used, 4)
        // A slice that does not start at index 0.
        let (second, secondUsed) = try CBORDecoder.decodePrefix(input[4...])
        XCTAssertEqual(second, .bytes([1, 2, 3, 4]))
        XCTAssertEqual(secondUsed, 5)
        XCTAssertThrowsError(try CBORDecoder.decodePrefix(input[9...])) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "CBOR_UNEXPECTED_BREAK")
            XCTAssertEqual((error as? QRCertError)?.message, "cbor break stop code outside an indefinite-length item (at byte 0)")
        }
        XCTAssertThrowsError(try CBORDecoder.decodePrefix(input[4..<7])) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "CBOR_TRUNCATED")
        }
    }

    // MARK: Accessors

    func testIntegerConstructorAndAccessor() {
        XCTAssertEqual(CBOR.int(0), .unsigned(0))
        XCTAssertEqual(CBOR.int(-1), .negative(0))
        XCTAssertEqual(CBOR.int(.max), .unsigned(UInt64(Int64.max)))
        XCTAssertEqual(CBOR.int(.min), .negative(UInt64(Int64.max)))
        for v: Int64 in [0, 1, -1, 23, -24, 1_000_000, .max, .min] {
            XCTAssertEqual(CBOR.int(v).int64, v)
        }
        XCTAssertNil(CBOR.unsigned(UInt64(Int64.max) + 1).int64)
        XCTAssertNil(CBOR.negative(UInt64(Int64.max) + 1).int64)
        XCTAssertNil(CBOR.text("1").int64)
        XCTAssertNil(CBOR.float(1).int64)
    }

    func testValueAccessors() {
        XCTAssertEqual(CBOR.text("a").textValue, "a")
        XCTAssertNil(CBOR.bytes([0x61]).textValue)
        XCTAssertEqual(CBOR.bytes([1]).bytesValue, [1])
        XCTAssertNil(CBOR.text("a").bytesValue)
        XCTAssertEqual(CBOR.array([.null]).arrayValue, [.null])
        XCTAssertNil(CBOR.map([]).arrayValue)
        XCTAssertEqual(CBOR.map([]).mapValue, [])
        XCTAssertNil(CBOR.array([]).mapValue)
    }

    func testMapSubscripts() {
        let map = CBOR.map([
            CBORPair(.int(1), .text("issuer")),
            CBORPair(.int(-260), .text("hcert")),
            CBORPair(.text("v"), .int(1)),
            CBORPair(.int(1), .text("second")),
        ])
        XCTAssertEqual(map[1], .text("issuer"))
        XCTAssertEqual(map[-260], .text("hcert"))
        XCTAssertEqual(map["v"], .unsigned(1))
        XCTAssertNil(map[2])
        XCTAssertNil(map["1"])
        XCTAssertNil(CBOR.array([.int(1)])[0])
        XCTAssertNil(CBOR.text("v")["v"])
    }

    func testMapEqualityIsOrdered() {
        let a = CBOR.map([CBORPair(.int(1), .null), CBORPair(.int(2), .null)])
        let b = CBOR.map([CBORPair(.int(2), .null), CBORPair(.int(1), .null)])
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(CBOREncoder.encode(a), CBOREncoder.encode(b))
        XCTAssertNotEqual(CBOREncoder.encode(a, deterministic: false), CBOREncoder.encode(b, deterministic: false))
    }

    // MARK: Encoding

    func testDeterministicKeyOrderRFC8949Section421() throws {
        // RFC 8949 §4.2.1's example order, built here in reverse.
        let ordered: [CBOR] = [
            .int(10), .int(100), .int(-1), .text("z"), .text("aa"), .array([.int(100)]), .array([.int(-1)]), .bool(false),
        ]
        let map = CBOR.map(ordered.reversed().enumerated().map { CBORPair($0.element, .int(Int64($0.offset))) })
        let encoded = CBOREncoder.encode(map)
        XCTAssertEqual(hex(encoded), "a8" + "0a07" + "186406" + "2005" + "617a04" + "62616103" + "81186402" + "812001" + "f400")
        XCTAssertEqual(try CBORDecoder.decode(encoded).mapValue?.map(\.key), ordered)
        // Order is kept when not deterministic.
        XCTAssertEqual(try CBORDecoder.decode(CBOREncoder.encode(map, deterministic: false)), map)
    }

    func testDeterministicSortsNestedMaps() {
        let inner = CBOR.map([CBORPair(.text("b"), .null), CBORPair(.text("a"), .null)])
        let outer = CBOR.array([.tagged(1, inner)])
        XCTAssertEqual(hex(CBOREncoder.encode(outer)), "81c1a26161f66162f6")
        XCTAssertEqual(hex(CBOREncoder.encode(outer, deterministic: false)), "81c1a26162f66161f6")
    }

    func testShortestHeads() {
        let cases: [(UInt64, String)] = [
            (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
            (65536, "1a00010000"), (0xFFFF_FFFF, "1affffffff"), (0x1_0000_0000, "1b0000000100000000"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(hex(CBOREncoder.encode(.unsigned(value))), expected)
            XCTAssertEqual(hex(CBOREncoder.encode(.negative(value))), String(format: "%02x", 0x20 | bytes(expected)[0]) + expected.dropFirst(2))
        }
        XCTAssertEqual(hex(CBOREncoder.encode(.bytes([UInt8](repeating: 0, count: 24)))), "5818" + String(repeating: "00", count: 24))
        XCTAssertEqual(hex(CBOREncoder.encode(.simple(16))), "f0")
        XCTAssertEqual(hex(CBOREncoder.encode(.simple(255))), "f8ff")
        XCTAssertEqual(hex(CBOREncoder.encode(.undefined)), "f7")
    }

    func testShortestFloats() {
        let cases: [(Double, String)] = [
            (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.5, "f93e00"), (65504, "f97bff"),
            (65505, "fa477fe100"), (100_000, "fa47c35000"), (1.1, "fb3ff199999999999a"),
            (0x1p-24, "f90001"), (0x1p-14, "f90400"), (0x3p-24, "f90003"), (0x1p-25, "fa33000000"),
            (0x1.8p-24, "fa33c00000"), (Double(Float.greatestFiniteMagnitude), "fa7f7fffff"),
            (1e300, "fb7e37e43c8800759c"), (.infinity, "f97c00"), (-.infinity, "f9fc00"), (.nan, "f97e00"),
            (Double(bitPattern: 0x7FF0_0000_2000_0000), "fa7f800001"),  // signalling NaN, payload fits a single
            (Double(bitPattern: 0x7FF0_0000_0000_0001), "fb7ff0000000000001"),
        ]
        for (value, expected) in cases {
            let encoded = CBOREncoder.encode(.float(value))
            XCTAssertEqual(hex(encoded), expected, "\(value)")
            // And the decoder gives back the same bits.
            if case .float(let back)? = try? CBORDecoder.decode(encoded) {
                XCTAssertEqual(back.bitPattern, value.bitPattern, expected)
            } else {
                XCTFail("\(expected) did not decode to a float")
            }
        }
    }

    func testRoundTripOfBuiltValue() throws {
        let value = CBOR.tagged(18, .array([
            .bytes([0xA1, 0x01, 0x26]),
            .map([CBORPair(.int(4), .bytes([1, 2, 3]))]),
            .bytes(CBOREncoder.encode(.map([
                CBORPair(.int(1), .text("DE")),
                CBORPair(.int(4), .unsigned(1_700_000_000)),
                CBORPair(.int(-260), .map([CBORPair(.int(1), .text("ü 水 𐅑"))])),
            ]))),
            .bytes([UInt8](repeating: 7, count: 64)),
        ]))
        let encoded = CBOREncoder.encode(value)
        XCTAssertEqual(try CBORDecoder.decode(encoded), value)
        XCTAssertEqual(CBOREncoder.encode(try CBORDecoder.decode(encoded)), encoded)
    }
}

private extension CBOR {
    var testFloat: Double? {
        if case .float(let x) = self { return x }
        return nil
    }
}

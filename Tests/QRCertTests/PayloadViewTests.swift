import Foundation
import QRCertCrypto
import QRCertFormat
import XCTest

/// `Payload.view` and `CoseSign1.view` (the verifier's decode in place, into reused buffers) against `Payload.decode`
/// and `CoseSign1.decode` (every stage kept): the same answer, or the same error, for every payload of the vectors,
/// the EU DCC suite and the fuzz corpus, and for damaged and re-shaped forms of each.
final class PayloadViewTests: XCTestCase {
    /// Every payload text the committed fixtures and the suite hold.
    private func texts() throws -> [String] {
        var texts: [String] = []
        for file in ConformancePaths.jsonFiles(under: ConformancePaths.vectors) {
            if let text = try ConformanceCase(file: file, in: ConformancePaths.vectors, requiredPrefix: nil).document["PREFIX"]?.string {
                texts.append(text)
            }
        }
        for file in ConformancePaths.jsonFiles(under: ConformancePaths.suite) {
            if let text = try ConformanceCase(file: file).document["PREFIX"]?.string { texts.append(text) }
        }
        let corpus = TestFixtures.url("fuzz-corpus").appendingPathComponent("FuzzPayload")
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() {
            texts.append(String(decoding: try Data(contentsOf: corpus.appendingPathComponent(name)), as: UTF8.self))
        }
        return texts
    }

    /// Damaged forms of a payload: cut short, a character changed, lower case, a combining mark after the prefix
    /// (which `hasPrefix` reads as part of the colon's character), bytes added.
    private func damaged(_ text: String) -> [String] {
        let utf8 = Array(text.utf8)
        let head = String(text.prefix(4)), rest = String(text.dropFirst(4))
        var out: [String] = ["", String(text.prefix(3)), head, text.lowercased(), text + "A", text + "AAA", text + "\n"]
        out.append(head + "\u{301}" + rest)
        out.append(head + "é" + rest)
        for cut in [5, 7, utf8.count / 2, utf8.count - 1, utf8.count - 2, utf8.count - 3] where cut > 0 && cut < utf8.count {
            out.append(String(decoding: utf8[..<cut], as: UTF8.self))
        }
        for index in [4, 10, utf8.count / 3, utf8.count - 1] where index < utf8.count {
            for replacement in ["!", "0", ":", "~"] {
                var changed = utf8
                changed[index] = replacement.utf8.first!
                out.append(String(decoding: changed, as: UTF8.self))
            }
        }
        return out
    }

    /// Re-shaped COSE messages from `bytes`: other tags, an array of another length, trailing and missing bytes,
    /// heads longer than needed, indefinite lengths, each byte changed in turn for short messages.
    private func reshaped(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = [bytes, bytes + [0], Array(bytes.dropLast()), Array(bytes.dropFirst())]
        if bytes.first == 0xD2 {
            let untagged = Array(bytes.dropFirst())
            let parts = Array(untagged.dropFirst())  // the four items after the array head
            let cwt: [UInt8] = [0xD8, 0x3D]
            out += [untagged, cwt + bytes, cwt + untagged, [0xD2] + bytes, [0xD8, 0x12] + untagged, [0xC1] + untagged]
            out += [[0x85] + parts + [0x40], [0x83] + parts, [0x9F] + parts + [0xFF], [0x98, 0x04] + parts, [0x84, 0x84] + parts]
        }
        for index in 0..<min(bytes.count, 12) {
            for delta: UInt8 in [1, 0x80] {
                var changed = bytes
                changed[index] &+= delta
                out.append(changed)
            }
        }
        return out
    }

    func testPayloadViewAgreesWithDecode() throws {
        let inflater = Inflater()
        var compared = 0
        var shapes: Set<[UInt8]> = []
        for text in try texts() {
            for candidate in [text] + damaged(text) {
                compare(candidate, inflater: inflater)
                compare(candidate, inflater: nil)
                compared += 1
            }
            // Re-shaped messages, encoded again under each prefix: from 40 different messages, which keeps the test fast.
            guard shapes.count < 40, let payload = try? Payload.decode(text), shapes.insert(payload.coseBytes).inserted else { continue }
            for bytes in reshaped(payload.coseBytes) {
                for prefix in Payload.Prefix.allCases {
                    compare(prefix.rawValue + Base45.encode(prefix.isCompressed ? Deflate.compress(bytes) : bytes), inflater: inflater)
                    compared += 1
                }
                for options in [CBORDecoder.Options.preferred, .strict, .lenient] {
                    compareCose(bytes, options: options)
                }
            }
        }
        XCTAssertGreaterThan(compared, 3_000)
    }

    /// A buffer the inflater keeps is not changed under a view that is still held.
    func testHeldViewKeepsItsBytes() throws {
        let texts = try texts().filter { (try? Payload.decode($0)) != nil }
        let inflater = Inflater()
        let first = try Payload.view(texts[0], inflater: inflater)
        let firstBytes = first.cose.bytes
        for text in texts.dropFirst().prefix(20) { _ = try Payload.view(text, inflater: inflater) }
        XCTAssertEqual(first.cose.bytes, firstBytes)
        XCTAssertEqual(first.cose.bytes, try Payload.decode(texts[0]).coseBytes)
    }

    private func compare(_ text: String, inflater: Inflater?, line: UInt = #line) {
        let expected = Result { () throws(QRCertError) in try Payload.decode(text) }
        let got = Result { () throws(QRCertError) in try Payload.view(text, inflater: inflater) }
        let name = "\(text.prefix(40))... (\(text.utf8.count) bytes)"
        switch (expected, got) {
        case (.success(let payload), .success(let view)):
            XCTAssertEqual(view.prefix, payload.prefix, name, line: line)
            XCTAssertEqual(view.cose.bytes, payload.coseBytes, name, line: line)
            same(view.cose, payload.cose, name, line: line)
        case (.failure(let expected), .failure(let error)):
            XCTAssertEqual(error.stage, expected.stage, name, line: line)
            XCTAssertEqual(error.code, expected.code, name, line: line)
            XCTAssertEqual(error.message, expected.message, name, line: line)
            XCTAssertEqual(error.hint, expected.hint, name, line: line)
        default:
            XCTFail("\(name): decode gives \(expected), view \(got)", line: line)
        }
    }

    private func compareCose(_ bytes: [UInt8], options: CBORDecoder.Options, line: UInt = #line) {
        let expected = Result { () throws(QRCertError) in try CoseSign1.decode(bytes, options: options) }
        let got = Result { () throws(QRCertError) in try CoseSign1.view(bytes, options: options) }
        let name = bytes.prefix(16).map { String(format: "%02x", $0) }.joined()
        switch (expected, got) {
        case (.success(let message), .success(let view)):
            same(view, message, name, line: line)
        case (.failure(let expected), .failure(let error)):
            XCTAssertEqual(error.code, expected.code, name, line: line)
            XCTAssertEqual(error.message, expected.message, name, line: line)
        default:
            XCTFail("\(name): decode gives \(expected), view \(got)", line: line)
        }
    }

    private func same(_ view: CoseSign1.View, _ message: CoseSign1, _ name: String, line: UInt) {
        XCTAssertEqual(Array(view.bytes[view.protectedRange]), message.protectedBytes, name, line: line)
        XCTAssertEqual(Array(view.payload), message.payload, name, line: line)
        XCTAssertEqual(Array(view.signature), message.signature, name, line: line)
        XCTAssertEqual(view.protectedHeader, message.protectedHeader, name, line: line)
        XCTAssertEqual(view.unprotectedHeader, message.unprotectedHeader, name, line: line)
        var signed: [UInt8] = []
        view.sigStructure { signed.append(contentsOf: $0) }
        XCTAssertEqual(signed, message.toBeSigned(), name, line: line)
        // A view made from the decoded message is the same view.
        let copied = CoseSign1.View(message)
        var copiedSigned: [UInt8] = []
        copied.sigStructure { copiedSigned.append(contentsOf: $0) }
        XCTAssertEqual(copiedSigned, signed, name, line: line)
    }
}

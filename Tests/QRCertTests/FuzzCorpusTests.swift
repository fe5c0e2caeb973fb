import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Every committed fuzz input (`Fixtures/fuzz-corpus/TARGET`: seeds and past findings) replayed through the
/// properties its libFuzzer harness checks (`Sources/Fuzz*`), in a normal `swift test`: a finding stays fixed.
final class FuzzCorpusTests: XCTestCase {
    private static let corpus = TestFixtures.url("fuzz-corpus")

    private func inputs(_ target: String, file: StaticString = #filePath, line: UInt = #line) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Self.corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThan(names.count, 10, "\(target): no committed inputs", file: file, line: line)
        return try names.map { ($0, [UInt8](try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    func testCorpusStaysSmall() throws {
        var total = 0
        for target in ["FuzzPayload", "FuzzCBOR", "FuzzRecords"] {
            let inputs = try inputs(target)
            XCTAssertLessThanOrEqual(inputs.count, 80, target)
            total += inputs.reduce(0) { $0 + $1.bytes.count }
        }
        XCTAssertLessThan(total, 200_000, "Fixtures/fuzz-corpus holds seeds and findings, not a whole fuzzing corpus")
    }

    // MARK: FuzzCBOR

    private static let preferred = CBORDecoder.Options(requirePreferredEncoding: true)
    private static let loose = CBORDecoder.Options(maxDepth: 64, maxItems: 1_000_000, allowIndefiniteLength: true, allowDuplicateKeys: true)
    private static let looseCanonical = CBORDecoder.Options(maxDepth: 64, maxItems: 1_000_000, allowDuplicateKeys: true,
                                                            requirePreferredEncoding: true)

    private func decoded(_ bytes: [UInt8], _ options: CBORDecoder.Options, _ name: String) -> CBOR? {
        do throws(QRCertError) {
            return try CBORDecoder.decode(bytes, options: options)
        } catch {
            XCTAssertEqual(error.stage, .cbor, name)
            XCTAssertTrue(error.code.hasPrefix("CBOR_"), "\(name): \(error)")
            return nil
        }
    }

    func testCBORCorpus() throws {
        for (name, bytes) in try inputs("FuzzCBOR") {
            let strict = decoded(bytes, .strict, name), canonical = decoded(bytes, Self.preferred, name)
            let lenient = decoded(bytes, Self.loose, name)
            if let canonical {
                XCTAssertEqual(CBOREncoder.encode(canonical, deterministic: false), bytes, name)
                XCTAssertNotNil(strict, name)
            }
            if let strict {
                XCTAssertEqual(lenient.map { CBOREncoder.encode($0, deterministic: false) }, CBOREncoder.encode(strict, deterministic: false), name)
            }
            if let lenient {
                for deterministic in [false, true] {
                    let once = CBOREncoder.encode(lenient, deterministic: deterministic)
                    let again = decoded(once, Self.looseCanonical, name)
                    XCTAssertEqual(again.map { CBOREncoder.encode($0, deterministic: deterministic) }, once, name)
                }
            }
        }
    }

    // MARK: FuzzPayload

    func testPayloadCorpus() throws {
        let keys = TestFixtures.url("vectors/keys")
        let signer = try PrivateKey.pem(String(contentsOf: keys.appendingPathComponent("TEST-ONLY-ed25519.key.pem"), encoding: .utf8), passphrase: nil)
        var store = TrustStore()
        store.add(signer.publicKey, source: "ed25519")
        for name in ["TEST-ONLY-es256.key.pem", "TEST-ONLY-es384.key.pem"] {
            store.add(try PrivateKey.pem(String(contentsOf: keys.appendingPathComponent(name), encoding: .utf8), passphrase: nil).publicKey,
                      source: name)
        }
        try store.add(fileBytes: [UInt8](try Data(contentsOf: keys.appendingPathComponent("TEST-ONLY-es256.crt.pem"))), source: "es256.crt")
        let verifier = Verifier(trust: store, profiles: try BuiltinProfiles.all())
        let time: Int64 = 1_772_330_400

        func check(_ verdict: Verdict, _ name: String) {
            for failure in verdict.failures {
                XCTAssertFalse(failure.code.isEmpty || failure.message.isEmpty, "\(name): \(failure)")
            }
            guard verdict.isValid else { return }
            XCTAssertTrue(verdict.signatureVerified && verdict.anchor != nil && verdict.claims != nil, name)
            if verdict.prefix == .qrcert {
                XCTAssertNotNil(verdict.credential, name)
                XCTAssertNotNil(verdict.issuer, name)
                if verdict.claims?.expiresAt == nil { XCTAssertEqual(verdict.credential?.mayHaveNoExpiry, true, name) }
            }
        }

        for (name, bytes) in try inputs("FuzzPayload") {
            let text = String(decoding: bytes, as: UTF8.self)
            if let payload = try? Payload.decode(text) {
                XCTAssertEqual(Base45.encode(payload.compressed), payload.base45, name)
                XCTAssertEqual(payload.cose.encoded(), payload.coseBytes, name)
                XCTAssertLessThanOrEqual(payload.coseBytes.count, Payload.Limits.standard.maxInflatedSize, name)
            }
            check(verifier.verify(text, at: time), name)

            var message = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-8)), CBORPair(.int(4), .bytes(signer.publicKey.keyID))],
                                    payload: bytes)
            message.signature = try signer.sign(message.toBeSigned())
            for prefix in Payload.Prefix.allCases {
                let signed = Payload.encode(message, prefix: prefix)
                let verdict = verifier.verify(signed, at: time)
                check(verdict, name)
                if signed.utf8.count <= Payload.Limits.standard.maxTextLength {
                    XCTAssertTrue(verdict.signatureVerified, "\(name) \(prefix): \(verdict.failures)")
                }
            }
        }
    }

    // MARK: FuzzRecords

    func testRecordsCorpus() throws {
        for (name, bytes) in try inputs("FuzzRecords") {
            guard let selector = bytes.first else { continue }
            let body = Array(bytes.dropFirst().prefix(1 << 16))  // the harness's pipe holds 64 KiB
            let tiny = selector & 4 != 0
            let handle = try RecordText.handle(body, in: self)
            var csvHeader: [String]?
            var reader: any RecordReader
            switch selector & 3 {
            case 0, 3:
                var limits = CSVRecordReader.Limits.standard
                if tiny { (limits.maxFieldBytes, limits.maxRowBytes, limits.maxFields) = (16, 64, 4) }
                reader = CSVRecordReader(handle: handle, source: "fuzz.csv", limits: limits)
            case 1:
                reader = JSONRecordReader(handle: handle, source: "fuzz.json", layout: .array, maxRecordBytes: tiny ? 64 : 1 << 20)
            default:
                reader = JSONRecordReader(handle: handle, source: "fuzz.jsonl", layout: .lines, maxRecordBytes: tiny ? 64 : 1 << 20)
            }
            var lastLine = 0, count = 0
            do throws(QRCertError) {
                while let next = try reader.next() {
                    count += 1
                    XCTAssertLessThanOrEqual(count, body.count + 1, name)
                    if count > body.count + 1 { break }
                    if csvHeader == nil, let csv = reader as? CSVRecordReader { csvHeader = csv.fieldNames }
                    switch next {
                    case .row(let row):
                        XCTAssertGreaterThanOrEqual(row.line, lastLine, name)
                        lastLine = row.line
                        if let csvHeader { XCTAssertEqual(row.fields.map(\.name), csvHeader, name) }
                    case .rejected(let rejection):
                        XCTAssertGreaterThanOrEqual(rejection.line, lastLine, name)
                        lastLine = rejection.line
                        XCTAssertEqual(rejection.error.stage, .records, "\(name): \(rejection)")
                    }
                }
                XCTAssertEqual(reader.bytesRead, body.count, name)
            } catch {
                XCTAssertTrue(error.stage == .records || error.stage == .io, "\(name): \(error)")
            }
        }
    }
}

import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Paths, keys and readers shared by the record, issue and verify tests of this target.
enum TestFixtures {
    /// The package root, found from this file's path (Tests/QRCertTests/ -> root).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Fixtures/NAME`.
    static func url(_ name: String) -> URL { root.appendingPathComponent("Fixtures").appendingPathComponent(name) }

    /// A committed TEST-ONLY private key (`es256`, `ed25519`, `foreign`), parsed.
    static func privateKey(_ name: String) throws -> PrivateKey {
        let text = try String(contentsOf: url("keys/TEST-ONLY-\(name).key.pem"), encoding: .utf8)
        return try PrivateKey.pem(text, passphrase: nil)
    }

    /// The matching public key, parsed from its own `.pub.pem` file (not derived from the private key).
    static func publicKey(_ name: String) throws -> PublicKey {
        try PublicKey.pem(try String(contentsOf: url("keys/TEST-ONLY-\(name).pub.pem"), encoding: .utf8))
    }

    /// A built-in profile by name.
    static func profile(_ name: String) throws -> Profile {
        let json = try XCTUnwrap(BuiltinProfiles.json(named: name), name)
        return try Profile.load(json: Data(json.utf8), source: name)
    }

    /// Every built-in profile.
    static func profiles() throws -> [Profile] { try BuiltinProfiles.all() }

    /// A verifier trusting the named TEST-ONLY public keys and knowing the built-in profiles.
    static func verifier(trusting names: [String]) throws -> Verifier {
        var store = TrustStore()
        for name in names { store.add(try publicKey(name), source: "TEST-ONLY-\(name).pub.pem") }
        return Verifier(trust: store, profiles: try profiles())
    }

    /// The Vietnamese issuing authority used throughout.
    static let issuerName = "Sở GTVT Đà Nẵng"
}

/// Reads record text through a real file handle, as the CLI does.
enum RecordText {
    /// Writes `bytes` to a temporary file removed when `test` ends, and opens it.
    static func handle(_ bytes: [UInt8], in test: XCTestCase) throws -> FileHandle {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-records-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        let handle = try FileHandle(forReadingFrom: url)
        test.addTeardownBlock {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
        }
        return handle
    }

    /// Everything a CSV reader yields for `bytes`.
    static func csv(_ bytes: [UInt8], source: String = "t.csv", in test: XCTestCase) throws -> [RecordReadResult] {
        var reader = CSVRecordReader(handle: try handle(bytes, in: test), source: source)
        return try drain(&reader)
    }

    /// Everything a CSV reader yields for `text`.
    static func csv(_ text: String, source: String = "t.csv", in test: XCTestCase) throws -> [RecordReadResult] {
        try csv(Array(text.utf8), source: source, in: test)
    }

    /// Everything a JSON reader yields for `text`.
    static func json(_ text: String, layout: JSONRecordReader.Layout, source: String = "t.json",
                     in test: XCTestCase) throws -> [RecordReadResult] {
        var reader = JSONRecordReader(handle: try handle(Array(text.utf8), in: test), source: source, layout: layout)
        return try drain(&reader)
    }

    static func drain<R: RecordReader>(_ reader: inout R) throws -> [RecordReadResult] {
        var out: [RecordReadResult] = []
        while let next = try reader.next() {
            out.append(next)
            if out.count > 100_000 { XCTFail("reader does not end"); break }
        }
        return out
    }

    /// `FILE:LINE: FIELD: reason [CODE]` for rejections, `LINE name=value|...` for rows: one string per result.
    static func summary(_ results: [RecordReadResult]) -> [String] {
        results.map { result in
            switch result {
            case .row(let row): return "\(row.line) " + row.fields.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
            case .rejected(let rejection): return rejection.description
            }
        }
    }
}

/// Records for the driving-licence profile, built field by field.
enum LicenceRow {
    static let header = ["licence_no", "full_name", "sex", "date_of_birth", "class", "issue_date", "expiry_date",
                         "issuing_authority", "nationality", "address"]

    /// A valid class B licence; `changes` replaces or (with nil) removes fields.
    static func make(_ changes: [String: String?] = [:], line: Int = 2, source: String = "t.csv") -> RecordRow {
        var values: [String: String] = [
            "licence_no": "048090001234", "full_name": "Nguyễn Thị Thu Hương", "sex": "Nữ",
            "date_of_birth": "1992-04-30", "class": "B", "issue_date": "2024-03-01", "expiry_date": "2034-03-01",
            "issuing_authority": "Sở GTVT Đà Nẵng", "nationality": "VNM",
            "address": "12 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng",
        ]
        var extra: [(String, String)] = []
        for (name, value) in changes {
            if header.contains(name) { values[name] = value } else if let value { extra.append((name, value)) }
        }
        let fields = header.compactMap { name in values[name].map { (name: name, value: $0) } } + extra.map { (name: $0.0, value: $0.1) }
        return RecordRow(source: source, line: line, fields: fields)
    }
}

/// Asserts that `body` throws a `QRCertError` with this stage and code (and message, when given).
/// The closure may be typed (`throws(QRCertError)`) or not; any other error fails the test.
func assertQRCertError<T>(_ stage: QRCertError.Stage, _ code: String, message: String? = nil,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(code), nothing thrown", file: file, line: line)
    } catch let error as QRCertError {
        XCTAssertEqual(error.stage, stage, "\(error)", file: file, line: line)
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        if let message { XCTAssertEqual(error.message, message, file: file, line: line) }
    } catch {
        XCTFail("expected \(code), got \(error)", file: file, line: line)
    }
}

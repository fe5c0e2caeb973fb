import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// qrcert's own staged vectors (`Fixtures/vectors`): the verifier agrees with each, they cover
/// every step and code of docs/FORMAT.md §5, and the issuer and generator reproduce them.
///
/// `QRCERT_WRITE_VECTORS=1 swift test --filter VectorTests` rewrites the files from the generator.
final class VectorTests: XCTestCase {
    /// The vector files, `NAME.json`, sorted.
    private var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ConformancePaths.vectors.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    func testVerifierAgreesWithEveryVector() throws {
        let files = self.files
        XCTAssertGreaterThan(files.count, 60, "no vectors in \(ConformancePaths.vectors.path)")
        XCTAssertEqual(Verifier(trust: TrustStore(), profiles: []).clockSkew, VectorDocument.clockSkew)
        var codes: Set<String> = []
        var stages: Set<String> = []
        for file in files {
            let testCase = try ConformanceCase(file: file, in: ConformancePaths.vectors, requiredPrefix: nil)
            let document = testCase.document
            XCTAssertNotNil(testCase.clock, "\(file): VALIDATIONCLOCK does not parse")
            XCTAssertEqual(document["TESTCTX"]?["CLOCKSKEW"], .number(Double(VectorDocument.clockSkew)), file)
            let run = try testCase.run()
            XCTAssertFalse(testCase.expected.isEmpty, file)
            for (key, expected) in testCase.expected.sorted(by: { $0.key < $1.key }) {
                guard let flag = ConformanceFlag(rawValue: key) else {
                    XCTFail("\(file): unknown flag \(key)")
                    continue
                }
                let result = run.results[flag]
                XCTAssertTrue(result?.agrees(with: expected) ?? false, "\(file) \(key): expected \(expected), got \(String(describing: result))")
            }
            let valid = try XCTUnwrap(document["EXPECTEDVALID"]?.bool, file)
            XCTAssertEqual(run.verdict.isValid, valid, "\(file): \(run.verdict.failures)")
            if valid {
                XCTAssertNil(document["EXPECTEDCODE"], file)
                XCTAssertTrue(run.verdict.signatureVerified, file)
            } else {
                let stage = try XCTUnwrap(document["EXPECTEDSTAGE"]?.string, file)
                let code = try XCTUnwrap(document["EXPECTEDCODE"]?.string, file)
                XCTAssertEqual(run.verdict.reason?.stage.rawValue, stage, "\(file): \(String(describing: run.verdict.reason))")
                XCTAssertEqual(run.verdict.reason?.code, code, "\(file): \(String(describing: run.verdict.reason))")
                codes.insert(code)
                stages.insert(stage)
            }
        }

        // Every stage and every code of the steps table of docs/FORMAT.md §5 (rows `| 1 |` to
        // `| 10 |`) has a negative vector; CBOR_* stands for each code the strict decoder can raise.
        let format = try String(contentsOf: ConformancePaths.packageRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let section = format.components(separatedBy: "## 5.").dropFirst().first?.components(separatedBy: "## 6.").first ?? ""
        // Steps 11-12 need signed trust and revocation lists: TrustList*/Revocation* tests cover them.
        let steps = section.split(separator: "\n").filter { row in
            guard let match = row.wholeMatch(of: /\| (\d+) \|.*/), let number = Int(match.1) else { return false }
            return number <= 10
        }
        XCTAssertEqual(steps.count, 10, "docs/FORMAT.md §5 should have a table of 10 steps")
        var documented = Set(steps.flatMap { $0.matches(of: /`([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])`/).map { String($0.1) } })
        documented.formUnion(["CBOR_TRUNCATED", "CBOR_TRAILING_BYTES", "CBOR_INDEFINITE", "CBOR_RESERVED",
                              "CBOR_UNEXPECTED_BREAK", "CBOR_TOO_DEEP", "CBOR_TOO_MANY_ITEMS", "CBOR_DUPLICATE_KEY"])
        XCTAssertGreaterThan(documented.count, 35)
        // KEY_COMPROMISED needs a signed trust list, which the vector shape cannot carry: TrustList*Tests cover it.
        XCTAssertEqual(documented.subtracting(codes).subtracting(["KEY_COMPROMISED"]).sorted(), [], "codes of docs/FORMAT.md §5 without a vector")
        XCTAssertEqual(stages, ["prefix", "base45", "zlib", "cbor", "cose", "key", "signature", "content", "validity"])
    }

    func testGeneratorReproducesEveryVector() throws {
        let urls = files.map { ConformancePaths.vectors.appendingPathComponent($0) }
        let documents = try VectorGenerator(previous: urls).vectors()
        if ProcessInfo.processInfo.environment["QRCERT_WRITE_VECTORS"] == "1" {
            for document in documents {
                let url = ConformancePaths.vectors.appendingPathComponent(document.name + ".json")
                try Data(document.rendered.utf8).write(to: url, options: .atomic)
            }
            print("wrote \(documents.count) vectors to \(ConformancePaths.vectors.path)")
        }
        XCTAssertEqual(Set(files), Set(documents.map { $0.name + ".json" }), "vector files and generator disagree")
        for document in documents {
            let url = ConformancePaths.vectors.appendingPathComponent(document.name + ".json")
            let committed = try String(contentsOf: url, encoding: .utf8)
            if let line = Self.firstDifferentLine(committed, document.rendered) {
                XCTFail("\(document.name).json is not what the generator makes (QRCERT_WRITE_VECTORS=1 rewrites it): \(line)")
            }
        }

        // From the keys alone, with no committed signature to reuse, every Ed25519 vector comes out byte for byte.
        let fresh = try VectorGenerator(previous: []).vectors().filter(\.deterministic)
        XCTAssertGreaterThan(fresh.count, 50)
        for document in fresh {
            let committed = try String(contentsOf: ConformancePaths.vectors.appendingPathComponent(document.name + ".json"), encoding: .utf8)
            if let line = Self.firstDifferentLine(committed, document.rendered) {
                XCTFail("\(document.name).json is not reproducible from the TEST-ONLY key: \(line)")
            }
        }
        XCTAssertEqual(fresh.filter { $0.algorithm != "EdDSA" }.map(\.name), [])
    }

    /// The first line where two texts differ, shortened, or nil when they are equal byte for byte.
    private static func firstDifferentLine(_ committed: String, _ generated: String) -> String? {
        guard committed != generated else { return nil }
        let a = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let b = generated.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, b.count) {
            let left = index < a.count ? String(a[index]) : "<end>", right = index < b.count ? String(b[index]) : "<end>"
            if left != right { return "line \(index + 1): committed \(left.prefix(80)) generated \(right.prefix(80))" }
        }
        return "line endings differ"
    }

    /// `Issuer.issue` on a vector's own ISSUER, PROFILE and RECORD gives its PREFIX exactly.
    func testIssuerReproducesIssuedVectors() throws {
        let key = try PrivateKey.pem(
            String(contentsOf: VectorGenerator.keys.appendingPathComponent("TEST-ONLY-ed25519.key.pem"), encoding: .utf8), passphrase: nil)
        let profiles = try BuiltinProfiles.all()
        var issued = 0
        for file in files {
            let document = try ConformanceJSON.parse(Data(contentsOf: ConformancePaths.vectors.appendingPathComponent(file)))
            guard let context = document["TESTCTX"], let record = context["RECORD"]?.object else { continue }
            // A QC1: vector is what an issuer writing version 1 makes; QC2: ones are the default, compact encoding.
            let encoding: Issuer.Encoding = document["PREFIX"]?.string?.hasPrefix("QC1:") == true ? .version1 : .compact
            let issuer = try Issuer(key: key, name: XCTUnwrap(context["ISSUER"]?.string, file), encoding: encoding)
            let profile = try XCTUnwrap(profiles.first { $0.type == context["PROFILE"]?.string }, file)
            // RECORD keeps the profile's field order; the credential does not depend on it.
            let fields = record.sorted { $0.key < $1.key }.compactMap { name, value in value.string.map { (name: name, value: $0) } }
            let credential: Credential
            do {
                credential = try Credential(row: RecordRow(source: file, line: 1, fields: fields), profile: profile)
            } catch {
                XCTFail("\(file): \(error.description)")
                continue
            }
            XCTAssertEqual(try issuer.issue(credential).payload, document["PREFIX"]?.string, file)
            issued += 1
        }
        XCTAssertEqual(issued, 7)
    }

    /// The ES256 licence vector is what the issuer signs: same protected header and claims (ECDSA
    /// signatures differ on every run, so only the signed bytes can match).
    func testIssuerSignsTheSameBytesAsTheES256Vector() throws {
        let generator = try VectorGenerator(previous: [])
        let issuer = try Issuer(key: generator.es256, name: VectorGenerator.issuerName, encoding: .version1)
        let issued = try Payload.decode(issuer.issue(generator.credential(VectorGenerator.licence, profile: "vn.dl")).payload)
        let document = try ConformanceJSON.parse(Data(contentsOf: ConformancePaths.vectors.appendingPathComponent("valid-es256-licence.json")))
        let vector = try CoseSign1.decode(XCTUnwrap(document["COSE"]?.string.flatMap(Hex.decode)))
        XCTAssertEqual(vector.toBeSigned(), issued.cose.toBeSigned())
        XCTAssertEqual(vector.tags, issued.cose.tags)
        XCTAssertEqual(vector.unprotectedHeader, issued.cose.unprotectedHeader)
        XCTAssertEqual(vector.signature.count, 64)
    }
}

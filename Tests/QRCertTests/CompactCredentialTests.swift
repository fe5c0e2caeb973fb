import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The compact encoding of `QC2:` payloads (docs/FORMAT.md §9): every field of every fixture record comes back,
/// version 1 payloads still verify, and every form the issuer does not write is refused with its code.
final class CompactCredentialTests: XCTestCase {
    /// 2025-06-01T00:00:00Z.
    let now: Int64 = 1_748_736_000

    private func key() throws -> PrivateKey { try TestFixtures.privateKey("ed25519") }

    /// Issues every fixture record of the three built-in profiles as `QC2:` and verifies it: the verifier's credential
    /// is the checked record field by field (dates derived from iat and exp included), nbf is iat, the derived cti is
    /// the one the issuer reports, and nothing but the window can fail.
    func testEveryFieldOfEveryFixtureRecordRoundTrips() throws {
        let verifier = try TestFixtures.verifier(trusting: ["ed25519"])
        let issuer = try Issuer(key: key(), name: TestFixtures.issuerName)
        for (name, file) in [("driving-licence", "driving-licences.csv"), ("transport-permit", "transport-permits.csv"),
                             ("construction-permit", "construction-permits.csv")] {
            let profile = try TestFixtures.profile(name)
            var reader = CSVRecordReader(handle: try FileHandle(forReadingFrom: TestFixtures.url("records/\(file)")), source: file)
            var checker = RecordChecker(profile: profile)
            var count = 0, shorter = 0
            for item in try RecordText.drain(&reader) {
                guard case .success(let (_, credential)) = checker.check(item) else { return XCTFail("\(file): a fixture row is rejected") }
                let issued = try issuer.issue(credential)
                XCTAssertTrue(issued.payload.hasPrefix("QC2:"), credential.id)
                let verdict = verifier.verify(issued.payload, at: now)
                XCTAssertTrue(verdict.signatureVerified, credential.id)
                XCTAssertEqual(verdict.failures.filter { $0.stage != .validity }.map(\.code), [], credential.id)
                let decoded = try XCTUnwrap(verdict.credential, credential.id)
                XCTAssertEqual(decoded.values.map(\.field.name), credential.values.map(\.field.name), credential.id)
                for (got, want) in zip(decoded.values, credential.values) {
                    XCTAssertEqual(got.value, want.value, "\(credential.id) \(want.field.name)")
                    XCTAssertEqual(Credential.displayText(got.value, got.field), Credential.displayText(want.value, want.field))
                }
                XCTAssertEqual(verdict.claims?.notBefore, credential.validFrom, credential.id)
                XCTAssertEqual(verdict.claims?.issuedAt, credential.validFrom, credential.id)
                XCTAssertEqual(verdict.claims?.expiresAt, credential.validUntil, credential.id)
                XCTAssertEqual(verdict.claims?.certificateID, issued.certificateID, credential.id)
                XCTAssertEqual(issued.certificateID.count, 8)
                // The version 1 payload of the same record verifies to the same credential, and is longer.
                let old = try Issuer(key: key(), name: TestFixtures.issuerName, encoding: .version1).issue(credential)
                let oldVerdict = verifier.verify(old.payload, at: now)
                XCTAssertEqual(oldVerdict.credential, decoded, credential.id)
                XCTAssertEqual(Self.window(oldVerdict.claims), Self.window(verdict.claims), credential.id)
                if issued.payload.utf8.count < old.payload.utf8.count { shorter += 1 }
                count += 1
            }
            XCTAssertEqual(count, name == "driving-licence" ? 300 : 30, file)
            XCTAssertEqual(shorter, count, "\(file): every QC2: payload is shorter than its QC1: one")
        }
    }

    /// What both versions say outside the credential claim (its form differs): iss, exp, nbf, iat and cti.
    static func window(_ claims: CWTClaims?) -> [String] {
        [claims?.issuer ?? "-", "\(claims?.expiresAt ?? -1)", "\(claims?.notBefore ?? -1)", "\(claims?.issuedAt ?? -1)",
         claims?.certificateID.map(Hex.encode) ?? "-"]
    }

    /// The committed version 1 vectors (issued by the old issuer) still verify, with the fields they were issued from.
    func testCommittedVersion1PayloadsStillVerify() throws {
        let profiles = try BuiltinProfiles.all()
        var checked = 0
        for file in ["valid-ed25519-licence", "valid-ed25519-licence-no-expiry", "valid-ed25519-transport-permit", "valid-es256-licence"] {
            let document = try ConformanceJSON.parse(Data(contentsOf: ConformancePaths.vectors.appendingPathComponent(file + ".json")))
            let text = try XCTUnwrap(document["PREFIX"]?.string, file)
            XCTAssertTrue(text.hasPrefix("QC1:"), file)
            var store = TrustStore()
            try store.add(fileBytes: Array(try XCTUnwrap(document["TESTCTX"]?["PUBLICKEY"]?.string).utf8), source: file)
            let clock = try XCTUnwrap(document["TESTCTX"]?["VALIDATIONCLOCK"]?.string.flatMap { Timestamp.parse($0) }, file)
            let verdict = Verifier(trust: store, profiles: profiles).verify(text, at: clock)
            XCTAssertTrue(verdict.isValid, "\(file): \(verdict.failures)")
            XCTAssertEqual(verdict.prefix, .qrcert, file)
            if let record = document["TESTCTX"]?["RECORD"]?.object {
                for (name, value) in record {
                    XCTAssertEqual(verdict.credential?.displayValue(name), value.string, "\(file) \(name)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 3)
    }

    /// The bytes of the standard test licence's compact record: digits, dictionary indices, no dates that iat/exp give.
    func testCompactRecordBytes() throws {
        let issuer = try Issuer(key: key(), name: TestFixtures.issuerName)
        let credential = try TrustListSupport.licence(["address": nil, "full_name": "Lê Văn Tám", "licence_no": "048090001234",
                                                   "issuing_authority": "Sở GTVT Đà Nẵng", "nationality": "VNM"])
        let claims = try issuer.claims(for: credential)
        guard case .array(let content)? = claims[CWTClaims.Key.credential] else { return XCTFail("credential claim is not an array") }
        XCTAssertEqual(content.first, .text("vn.dl"))
        // {1: h'0c 0b32632f52' (12 digits, 048090001234), 2: h'VISCII "Lê Văn Tám"', 3: 1 (Nữ), 4: 8155 (1992-04-30),
        //  5: 3 (B), 8: 77 (Sở GTVT Đà Nẵng's index), 9: 0 (VNM)}: no 6 (issue_date) nor 7 (expiry_date).
        let expected = "a7" + "01460c0b32632f52" + "024a" + "4cea2056e56e2054e16d" + "0301" + "04191fdb" + "0503" + "08184d" + "0900"
        XCTAssertEqual(Hex.encode(CBOREncoder.encode(content[1])), expected)
        XCTAssertNil(claims.notBefore)
        XCTAssertNil(claims.certificateID)
    }

    func testDigitBytes() {
        XCTAssertEqual(CompactCredential.digitBytes("0").map(Hex.encode), "01")
        XCTAssertEqual(CompactCredential.digitBytes("000").map(Hex.encode), "03")
        XCTAssertEqual(CompactCredential.digitBytes("007").map(Hex.encode), "0307")
        XCTAssertEqual(CompactCredential.digitBytes("256").map(Hex.encode), "030100")
        XCTAssertEqual(CompactCredential.digitBytes("480123456789").map(Hex.encode), "0c6fc9968d15")
        XCTAssertEqual(CompactCredential.digitBytes("9999999999999999999").map(Hex.encode), "138ac7230489e7ffff")
        XCTAssertNil(CompactCredential.digitBytes(""))
        XCTAssertNil(CompactCredential.digitBytes("12345678901234567890"))  // 20 digits: text
        XCTAssertNil(CompactCredential.digitBytes("12-34"))
        XCTAssertNil(CompactCredential.digitBytes("١٢"))  // Arabic-Indic digits are not ASCII digits
    }

    /// A digits field reads back as the digits issued, leading zeros and an all-zero value included (the count, then
    /// the value written in place from its last digit).
    func testDigitsReadBackAsIssued() throws {
        let key = try key()
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        for digits in ["0", "000", "007", "256", "048090001234", "000000000000000", "0000000000000001", "9999999999999999999",
                       "1000000000000000000", "18446744073709551615", "0123456789012345678"] {
            let issued = try Issuer(key: key, name: TestFixtures.issuerName).issue(try TrustListSupport.licence(["licence_no": digits]))
            let verdict = verifier.verify(issued.payload, at: TrustListSupport.now)
            XCTAssertEqual(verdict.failures.map(\.code), [], digits)
            XCTAssertEqual(verdict.credential?.displayValue("licence_no"), digits)
            XCTAssertEqual(verdict.credential?.id, digits)
        }
    }

    // MARK: - Refused forms

    /// The standard licence's `QC2:` claims with the record and the claims altered, signed, verified: the codes.
    private func codes(record change: (inout [CBORPair]) -> Void = { _ in }, claims changeClaims: (inout [CBORPair]) -> Void = { _ in },
                       prefix: Payload.Prefix = .compact) throws -> [String] {
        let key = try key()
        let claims = try Issuer(key: key, name: TestFixtures.issuerName).claims(for: TrustListSupport.licence())
        guard case .map(var pairs) = claims.encoded(), let index = pairs.firstIndex(where: { $0.key == .int(CWTClaims.Key.credential) }),
              case .array(var content) = pairs[index].value, case .map(var record) = content[1] else {
            XCTFail("claims not as issued")
            return []
        }
        change(&record)
        content[1] = .map(record)
        pairs[index].value = .array(content)
        changeClaims(&pairs)
        let verdict = try TestFixtures.verifier(trusting: ["ed25519"]).verify(try HandSigned.payload(.map(pairs), key: key, prefix: prefix), at: now)
        XCTAssertTrue(verdict.signatureVerified)
        return verdict.failures.map(\.code)
    }

    private func replacing(_ key: Int64, with value: CBOR) -> (inout [CBORPair]) -> Void {
        { record in record = record.map { $0.key == .int(key) ? CBORPair($0.key, value) : $0 } }
    }

    func testTheIssuersFormVerifies() throws {
        XCTAssertEqual(try codes(), [])
    }

    func testNonCanonicalFormsAreRefused() throws {
        // A dictionary value written as text (VISCII bytes, or a text string for ASCII).
        XCTAssertEqual(try codes(record: replacing(8, with: .bytes(VISCII.encode("Sở GTVT Đà Nẵng") ?? []))), ["COMPACT_NOT_CANONICAL"])
        XCTAssertEqual(try codes(record: replacing(9, with: .text("VNM"))), ["COMPACT_NOT_CANONICAL"])
        // Digits as text, and digit bytes with a leading zero byte.
        XCTAssertEqual(try codes(record: replacing(1, with: .text("048090001234"))), ["COMPACT_NOT_CANONICAL"])
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([12, 0, 0x0B, 0x32, 0x63, 0x2F, 0x52]))), ["COMPACT_NOT_CANONICAL"])
        // A record date that iat or exp gives, written again.
        XCTAssertEqual(try codes(record: { $0.append(CBORPair(.int(6), .int(19783))) }), ["COMPACT_NOT_CANONICAL"])
        XCTAssertEqual(try codes(record: { $0.append(CBORPair(.int(7), .int(23435))) }), ["COMPACT_NOT_CANONICAL"])
        // nbf and cti, which the verifier derives.
        XCTAssertEqual(try codes(claims: { $0.append(CBORPair(.int(CWTClaims.Key.nbf), .int(1_709_226_000))) }), ["COMPACT_NOT_CANONICAL"])
        XCTAssertEqual(try codes(claims: { $0.append(CBORPair(.int(CWTClaims.Key.cti), .bytes([1, 2, 3, 4, 5, 6, 7, 8]))) }),
                       ["COMPACT_NOT_CANONICAL"])
    }

    func testUnknownDictionaryValueIsRefused() throws {
        let dictionary = try XCTUnwrap(TestFixtures.profile("driving-licence").field(named: "issuing_authority")?.dictionary)
        XCTAssertEqual(try codes(record: replacing(8, with: .int(Int64(dictionary.count - 1)))), [])
        XCTAssertEqual(try codes(record: replacing(8, with: .int(Int64(dictionary.count)))), ["COMPACT_UNKNOWN_VALUE"])
        XCTAssertEqual(try codes(record: replacing(9, with: .int(10))), ["COMPACT_UNKNOWN_VALUE"])
        // A signed negative index is no index.
        XCTAssertEqual(try codes(record: replacing(8, with: .int(-1))), ["CONTENT_BAD_FIELD"])
    }

    func testDigitCountMismatchesAreRefused() throws {
        // 048090001234 = 0x0b32632f52: a count of 10 is shorter than the value's 11 digits.
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([10, 0x0B, 0x32, 0x63, 0x2F, 0x52]))), ["COMPACT_BAD_DIGITS"])
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([11, 0x0B, 0x32, 0x63, 0x2F, 0x52]))), [])  // "48090001234"
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([0]))), ["COMPACT_BAD_DIGITS"])
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([]))), ["COMPACT_BAD_DIGITS"])
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([20, 1]))), ["COMPACT_BAD_DIGITS"])
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([19, 1, 2, 3, 4, 5, 6, 7, 8, 9]))), ["COMPACT_BAD_DIGITS"])
        // 21 digits fit the count byte's range of the format, not the profile's max_length of 20.
        XCTAssertEqual(try codes(record: replacing(1, with: .bytes([12] + Array(repeating: 0, count: 0)))), [])  // "000000000000"
        XCTAssertEqual(try codes(record: replacing(1, with: .int(48_090_001_234))), ["CONTENT_BAD_FIELD"])
    }

    func testWindowThatGivesNoDatesIsRefused() throws {
        func shifted(_ key: Int64, by seconds: Int64) -> (inout [CBORPair]) -> Void {
            { claims in claims = claims.map { $0.key == .int(key) ? CBORPair($0.key, .int(($0.value.int64 ?? 0) + seconds)) : $0 } }
        }
        XCTAssertEqual(try codes(claims: shifted(CWTClaims.Key.iat, by: 3600)), ["COMPACT_BAD_WINDOW"])
        XCTAssertEqual(try codes(claims: shifted(CWTClaims.Key.exp, by: -1)), ["COMPACT_BAD_WINDOW"])
        XCTAssertEqual(try codes(claims: shifted(CWTClaims.Key.iat, by: 86_400)), [])  // a day later: issue_date follows
        XCTAssertEqual(try codes(claims: { $0.removeAll { $0.key == .int(CWTClaims.Key.iat) } }), ["COMPACT_BAD_WINDOW"])
        // exp the midnight of the issue day: the licence would end the day before it starts.
        XCTAssertEqual(try codes(claims: { claims in
            claims = claims.map { $0.key == .int(CWTClaims.Key.exp) ? CBORPair($0.key, .int(1_709_226_000)) : $0 }
        }), ["CONTENT_BAD_FIELD", "CWT_EXPIRED"])
    }

    func testPrefixAndEncodingMustAgree() throws {
        // A QC2: credential deflated under QC1:, and a version 1 credential uncompressed under QC2:.
        XCTAssertEqual(try codes(prefix: .qrcert), ["COMPACT_VERSION_MISMATCH"])
        let key = try key()
        let old = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: TrustListSupport.licence())
        let verdict = try TestFixtures.verifier(trusting: ["ed25519"]).verify(try HandSigned.payload(old.encoded(), key: key, prefix: .compact), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["COMPACT_VERSION_MISMATCH"])
        // The text layer: QC2: bytes are the COSE message, never a zlib stream.
        let issued = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).issue(TrustListSupport.licence())
        let relabelled = "QC2:" + issued.payload.dropFirst(4)
        XCTAssertEqual(try TestFixtures.verifier(trusting: ["ed25519"]).verify(relabelled, at: now).reason?.code, "CBOR_BAD_UTF8")
    }

    func testSpecimenAndRevocationUseTheCompactForms() throws {
        var issuer = try Issuer(key: key(), name: TestFixtures.issuerName)
        issuer.specimen = true
        let verdict = try TestFixtures.verifier(trusting: ["ed25519"]).verify(issuer.issue(TrustListSupport.licence()).payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["CONTENT_SPECIMEN"])
        XCTAssertEqual(try codes(claims: { claims in
            claims = claims.map { pair in
                guard pair.key == .int(CWTClaims.Key.credential), case .array(let items) = pair.value else { return pair }
                return CBORPair(pair.key, .array(items + [.int(1)]))
            }
        }), ["CONTENT_BAD_RECORD"])
    }

    /// `--resume` of a run begun with the other payload version says which option resumes it.
    func testRecheckNamesThePayloadVersion() throws {
        let key = try key(), credential = try TrustListSupport.licence()
        let version1 = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1)
        let compact = try Issuer(key: key, name: TestFixtures.issuerName)
        let old = try version1.issue(credential), new = try compact.issue(credential)
        XCTAssertEqual(compact.recheck(old.payload, for: credential),
                       "its prefix is QC1:, not QC2: (a run begun with --payload-version 1 resumes with it)")
        XCTAssertEqual(version1.recheck(new.payload, for: credential),
                       "its prefix is QC2:, not QC1: (a run begun with --payload-version 2 resumes with it)")
        XCTAssertNil(version1.recheck(old.payload, for: credential))
        XCTAssertNil(compact.recheck(new.payload, for: credential))
    }

    func testProfileRulesForCompactForms() throws {
        func load(_ field: String) -> String? {
            let json = #"{"type": "x.t", "name": {"vi": "x", "en": "x"}, "id_field": "id", "valid_from": "d", "valid_until": null,"#
                + #" "utc_offset": "+07:00", "fields": [{"name": "d", "key": 1, "type": "date", "required": true, "label": {"vi": "d", "en": "d"}},"#
                + #" {"name": "id", "key": 2, "type": "text", "required": true, "label": {"vi": "i", "en": "i"}}, "# + field + "]}"
            do {
                _ = try Profile.load(json: Data(json.utf8), source: "p.json")
                return nil
            } catch {
                return error.message
            }
        }
        let label = #""label": {"vi": "a", "en": "a"}"#
        XCTAssertNil(load(#"{"name": "a", "key": 3, "type": "text", "required": false, "dictionary": ["x", "y"], "# + label + "}"))
        XCTAssertEqual(load(#"{"name": "a", "key": 3, "type": "date", "required": false, "digits": true, "# + label + "}"),
                       "p.json: field a: dictionary and digits are for text fields")
        XCTAssertEqual(load(#"{"name": "a", "key": 3, "type": "text", "required": false, "digits": true, "dictionary": ["1"], "# + label + "}"),
                       "p.json: field a: a field has a dictionary or digits, not both")
        XCTAssertEqual(load(#"{"name": "a", "key": 3, "type": "text", "required": false, "dictionary": ["x", "x"], "# + label + "}"),
                       "p.json: field a: a dictionary needs distinct values")
        XCTAssertEqual(load(#"{"name": "a", "key": 3, "type": "text", "required": false, "dictionary": [" x"], "# + label + "}"),
                       "p.json: field a: dictionary value \" x\" is not trimmed NFC text within max_length")
    }
}

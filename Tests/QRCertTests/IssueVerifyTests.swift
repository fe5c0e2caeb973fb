import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Issuer -> Verifier: round trips with both issuing algorithms, the reproducible Ed25519 vector, and each
/// way a payload is rejected (tampering, foreign key, algorithm confusion, time) with its exact stage and code.
final class IssueVerifyTests: XCTestCase {
    var licence: Profile!

    override func setUpWithError() throws {
        licence = try TestFixtures.profile("driving-licence")
    }

    private func credential(_ changes: [String: String?] = [:]) throws -> Credential {
        do throws(RejectedRow) {
            return try Credential(row: LicenceRow.make(changes), profile: licence)
        } catch {
            throw error.error
        }
    }

    private func issuer(_ key: String, _ encoding: Issuer.Encoding = .compact) throws -> Issuer {
        try Issuer(key: try TestFixtures.privateKey(key), name: TestFixtures.issuerName, encoding: encoding)
    }

    /// 2025-06-01T00:00:00Z: inside the window of the default licence (2024-03-01 .. 2034-03-01).
    let now: Int64 = 1_748_736_000

    // MARK: - Round trips

    func testES256RoundTrip() throws {
        let record = try credential()
        let issued = try issuer("es256").issue(record)
        XCTAssertTrue(issued.payload.hasPrefix("QC2:"))
        XCTAssertTrue(issued.payload.dropFirst(4).allSatisfy { "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains($0) })
        let verdict = try TestFixtures.verifier(trusting: ["es256"]).verify(issued.payload, at: now)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.failures, [])
        XCTAssertTrue(verdict.signatureVerified)
        XCTAssertEqual(verdict.prefix, .compact)
        XCTAssertEqual(verdict.keyID.map(Hex.encode), "c141e6ca121b1f2d")
        XCTAssertEqual(verdict.algorithm, SignatureAlgorithm.es256.rawValue)
        XCTAssertEqual(verdict.anchor?.source, "TEST-ONLY-es256.pub.pem")
        XCTAssertEqual(verdict.issuer, "Sở GTVT Đà Nẵng")
        XCTAssertEqual(verdict.issuedAt, 1_709_226_000)
        XCTAssertEqual(verdict.claims?.notBefore, 1_709_226_000)
        XCTAssertEqual(verdict.expiresAt, 2_024_845_200)
        XCTAssertEqual(verdict.claims?.certificateID, issued.certificateID)
        XCTAssertEqual(verdict.credential, record)
        // ECDSA signatures are randomised: the same record twice gives two payloads, both valid.
        let again = try issuer("es256").issue(record)
        XCTAssertNotEqual(again.payload, issued.payload)
        XCTAssertTrue(try TestFixtures.verifier(trusting: ["es256"]).verify(again.payload, at: now).isValid)
    }

    /// A verify worker reuses one `Inflater`: a payload whose zlib stage fails (trailing bytes, corrupt, cut short)
    /// leaves nothing behind for the next one, which verifies as it would on a fresh stream.
    func testOneInflaterThroughBadPayloadsAndGoodOnes() throws {
        // A QC1: payload: QC2: has no zlib stage.
        let good = try issuer("ed25519", .version1).issue(try credential()).payload
        let compressed = try Base45.decode(String(good.dropFirst(4)))
        var corrupt = compressed
        corrupt[5] ^= 0x55
        let bad = [compressed + [0x00], corrupt, Array(compressed.prefix(compressed.count / 2))].map { "QC1:" + Base45.encode($0) }
        let verifier = try TestFixtures.verifier(trusting: ["ed25519"])
        let inflater = Inflater()
        for payload in [good] + bad.flatMap({ [$0, good] }) {
            let fresh = verifier.verify(payload, at: now)
            let reused = verifier.verify(payload, at: now, inflater: inflater)
            XCTAssertEqual(reused.isValid, payload == good)
            XCTAssertEqual(reused.failures.map(\.code), fresh.failures.map(\.code))
        }
        XCTAssertEqual(bad.map { verifier.verify($0, at: now, inflater: inflater).failures.first?.code },
                       ["ZLIB_TRAILING_BYTES", "ZLIB_BAD_DATA", "ZLIB_BAD_DATA"])
    }

    func testEd25519RoundTripIsByteIdentical() throws {
        let record = try credential()
        let first = try issuer("ed25519").issue(record)
        let second = try issuer("ed25519").issue(try credential())
        XCTAssertEqual(first.payload, second.payload)
        let verdict = try TestFixtures.verifier(trusting: ["ed25519"]).verify(first.payload, at: now)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.algorithm, SignatureAlgorithm.edDSA.rawValue)
        XCTAssertEqual(verdict.keyID.map(Hex.encode), "0e33f4fb000c1bb1")
        XCTAssertEqual(verdict.credential, record)
    }

    /// The whole version 1 payload for one record with the committed Ed25519 test key: any change to the claims,
    /// the CBOR, COSE, zlib or Base45 layers shows up here. It was the issuer's output until QC2:; an issuer
    /// asked for version 1 still writes it, and the verifier still accepts it.
    static let ed25519Vector =
        "QC1:NCFOXN%TSMAHO.J%TGGKVR1E%+3H$HQG49X5RP5+0G/SFDMGP690DH4FIN3H385- 7*+M*06E 8%LCJRVEZLYGLL-E5EM-C9R-109M/X9D8HIXDTJCES2 4CWBJ22JC7JFXO7LHGBPF*O.GOOGO+GOQHP%VG3 O9:N/KEE0K099GZ1Q%5JJU 7O*06SIJGY886WYK5JUJ*6M2VN6VE$5H/HU8CHN-2385QY3 Q9UR9 $U$0T946TR6J11JKBI5LPEI$L9M99/BS+7JUJSTQ4AJO8XSEJL3JKRH8+PTJU7M8G0U9CZGOH2OTO7SQ$4U9+DZGRE5CV+5M+D313TPGK+1PN8-ZDH1F/T2Y0CNQJWQFLFSAL2BT5/SO*TH9BRO56DOUITRHHO53R892+DA22PMXL5%SHYD"

    /// The same record as the issuer writes it now, `QC2:` (docs/FORMAT.md §9). A deliberate format change
    /// updates it together with docs/FORMAT.md and Fixtures/vectors.
    static let ed25519CompactVector =
        "QC2:RRQT 9P60GO0ZZ1U/UC00OM38CKD-ID808RAGWNS34ZTAQSAA%O+WOZ346OS6.M21DQF36FMF9I7F3IISE22100892 LGX/E-%56XDB70NN1TG69:5BD01-9D%ES-L-34XAD-34B9DT34$CS3/D4H0EN0A14NS0211BX9A00$6B*96-349MEM-DJ7A9SV$34RBD$2NU1DU992DDLN8DSS6341Q5IDAM7LT34I*SO34UBDQ EU641FS7/93/D27B/GR:$T4M7EAB3W0UK5LRPSDE*VN0BD84OEDVFBED9W$J8LDJKRKSMRF8RWOBI:UHUEWTJNFQSINCVNSLECJ6JQ7IX2362LDF"

    func testEd25519RegressionVector() throws {
        let old = try issuer("ed25519", .version1).issue(try credential())
        XCTAssertEqual(old.payload, Self.ed25519Vector)
        let issued = try issuer("ed25519").issue(try credential())
        XCTAssertEqual(issued.payload, Self.ed25519CompactVector)
        XCTAssertEqual(issued.certificateID, old.certificateID)
        let payload = try Payload.decode(issued.payload)
        XCTAssertEqual(payload.prefix, .compact)
        XCTAssertEqual(payload.compressed, payload.coseBytes)
        // Protected header {1: -8, 4: h'0e33f4fb000c1bb1'}, deterministic.
        XCTAssertEqual(Hex.encode(payload.cose.protectedBytes), "a20127044" + "80e33f4fb000c1bb1")
        XCTAssertEqual(payload.cose.unprotectedHeader, [])
        XCTAssertEqual(payload.cose.tags, [18])
        let claims = try CWTClaims.decode(try CBORDecoder.decode(payload.cose.payload))
        XCTAssertEqual(claims.issuer, "Sở GTVT Đà Nẵng")
        XCTAssertEqual(claims.issuedAt, 1_709_226_000)
        XCTAssertNil(claims.notBefore)
        XCTAssertEqual(claims.expiresAt, 2_024_845_200)
        XCTAssertNil(claims.certificateID)
        XCTAssertEqual(claims.others.map(\.key), [.int(CWTClaims.Key.credential)])
        // Both verify to the same credential, window and cti: the old payload is still a valid licence.
        let verifier = try TestFixtures.verifier(trusting: ["ed25519"])
        let (v1, v2) = (verifier.verify(old.payload, at: now), verifier.verify(issued.payload, at: now))
        XCTAssertTrue(v1.isValid, "\(v1.failures)")
        XCTAssertTrue(v2.isValid, "\(v2.failures)")
        XCTAssertEqual(v1.credential, v2.credential)
        XCTAssertEqual(CompactCredentialTests.window(v1.claims), CompactCredentialTests.window(v2.claims))
        XCTAssertEqual(v2.claims?.certificateID, old.certificateID)
    }

    /// The signature is plain Ed25519 over the COSE Sig_structure: the openssl tool, given the same key and
    /// bytes, produces the very same 64 bytes (Ed25519 is deterministic).
    func testEd25519SignatureMatchesTheOpenSSLTool() throws {
        let issued = try issuer("ed25519").issue(try credential())
        let cose = try Payload.decode(issued.payload).cose
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-tbs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tbs = directory.appendingPathComponent("tbs.bin"), signature = directory.appendingPathComponent("sig.bin")
        try Data(cose.toBeSigned()).write(to: tbs)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", TestFixtures.url("keys/TEST-ONLY-ed25519.key.pem").path,
                             "-in", tbs.path, "-out", signature.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(Hex.encode([UInt8](try Data(contentsOf: signature))), Hex.encode(cose.signature))
        // And the Sig_structure is RFC 9052 §4.4's: ["Signature1", protected, h'', payload].
        XCTAssertEqual(cose.toBeSigned(), CBOREncoder.encode(.array([.text("Signature1"), .bytes(cose.protectedBytes), .bytes([]), .bytes(cose.payload)])))
    }

    func testCertificateIDIsPerRecordAndStable() throws {
        let es256 = try issuer("es256")
        let a = try es256.issue(try credential()).certificateID
        let b = try es256.issue(try credential()).certificateID
        let c = try es256.issue(try credential(["licence_no": "048090001235"])).certificateID
        let d = try issuer("ed25519").issue(try credential()).certificateID
        XCTAssertEqual(a.count, 8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(a, d)
    }

    func testIssuerNameIsTrimmedNFCAndBounded() throws {
        let key = try TestFixtures.privateKey("es256")
        XCTAssertEqual(try Issuer(key: key, name: "  So\u{031B}\u{0309} GTVT  ").name, "Sở GTVT")
        assertQRCertError(.usage, "ISSUER_BAD_NAME", message: "issuer name must be 1 to 200 bytes") {
            try Issuer(key: key, name: "   ")
        }
        assertQRCertError(.usage, "ISSUER_BAD_NAME") {
            try Issuer(key: key, name: String(repeating: "Đ", count: 101))  // 202 bytes
        }
    }

    // MARK: - Expiry rules

    func testNoExpiryClassIsValidWithoutExp() throws {
        let record = try credential(["class": "A1", "expiry_date": nil])
        let issued = try issuer("es256").issue(record)
        XCTAssertNil(issued.claims.expiresAt)
        let claims = try CWTClaims.decode(try CBORDecoder.decode(try Payload.decode(issued.payload).cose.payload))
        XCTAssertNil(claims.expiresAt)
        let verdict = try TestFixtures.verifier(trusting: ["es256"]).verify(issued.payload, at: 4_102_444_800)  // 2100-01-01
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertNil(verdict.expiresAt)
    }

    func testClassBWithoutExpiryIsRejectedAtIssue() {
        do throws(RejectedRow) {
            _ = try Credential(row: LicenceRow.make(["expiry_date": ""]), profile: licence)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error.field, "expiry_date")
            XCTAssertEqual(error.error.code, "REC_MISSING_EXPIRY")
        }
    }

    /// A class B record signed without `exp` (by some other tool) verifies its signature and then fails the
    /// validity policy: a missing expiry is never read as "valid forever".
    func testClassBWithoutExpIsRejectedAtVerify() throws {
        var pairs = try credential().cbor.mapValue ?? []
        pairs.removeAll { $0.key == .int(7) }
        let record = try Credential(cbor: .map(pairs), profile: licence)
        XCTAssertNil(record.validUntil)
        let payload = try HandBuilt.sign(claims: try issuer("es256", .version1).claims(for: record).encoded(), key: TestFixtures.privateKey("es256"))
        let verdict = try TestFixtures.verifier(trusting: ["es256"]).verify(payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["CWT_NO_EXPIRY"])
        XCTAssertEqual(verdict.reason?.stage, .validity)
        XCTAssertEqual(verdict.reason?.message, "no expiry (exp) and the credential type does not allow none")
        XCTAssertTrue(verdict.signatureVerified)
    }

    func testClaimsWindowMustMatchTheRecord() throws {
        var claims = try issuer("es256", .version1).claims(for: try credential())
        claims.expiresAt = (claims.expiresAt ?? 0) + 86_400 * 365  // a year longer than the record says
        let payload = try HandBuilt.sign(claims: claims.encoded(), key: TestFixtures.privateKey("es256"))
        let verdict = try TestFixtures.verifier(trusting: ["es256"]).verify(payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["CONTENT_WINDOW_MISMATCH"])
        XCTAssertEqual(verdict.reason?.stage, .content)
        XCTAssertNil(verdict.credential)
    }

    // MARK: - Time

    func testExpiredAtTheMidnightAfterTheExpiryDay() throws {
        let payload = try issuer("es256").issue(try credential()).payload
        let verifier = try TestFixtures.verifier(trusting: ["es256"])
        XCTAssertTrue(verifier.verify(payload, at: 2_024_845_199).isValid)  // 2034-03-01T23:59:59+07:00
        let expired = verifier.verify(payload, at: 2_024_845_200)
        XCTAssertEqual(expired.failures.map(\.code), ["CWT_EXPIRED"])
        XCTAssertEqual(expired.reason?.stage, .validity)
        XCTAssertEqual(expired.reason?.message, "expired at 2034-03-01T17:00:00Z")
        // An expired credential's signature did verify: its record is shown (with the reason).
        XCTAssertTrue(expired.signatureVerified)
        XCTAssertEqual(expired.credential?.id, "048090001234")
    }

    func testNotYetValidRespectsTheClockSkew() throws {
        let payload = try issuer("es256").issue(try credential()).payload
        var verifier = try TestFixtures.verifier(trusting: ["es256"])
        let start: Int64 = 1_709_226_000
        XCTAssertEqual(verifier.clockSkew, 300)
        XCTAssertTrue(verifier.verify(payload, at: start - 300).isValid)
        let early = verifier.verify(payload, at: start - 301)
        XCTAssertEqual(early.failures.map(\.code), ["CWT_NOT_YET_VALID"])
        XCTAssertEqual(early.reason?.stage, .validity)
        XCTAssertEqual(early.reason?.message, "not valid before 2024-02-29T17:00:00Z")
        verifier.clockSkew = 0
        XCTAssertEqual(verifier.verify(payload, at: start - 1).failures.map(\.code), ["CWT_NOT_YET_VALID"])
        XCTAssertTrue(verifier.verify(payload, at: start).isValid)
    }

    // MARK: - Keys

    func testForeignKeyIsUnknown() throws {
        let payload = try issuer("foreign").issue(try credential()).payload
        let verdict = try TestFixtures.verifier(trusting: ["es256", "ed25519"]).verify(payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["KID_UNKNOWN"])
        XCTAssertEqual(verdict.reason?.stage, .key)
        XCTAssertEqual(verdict.reason?.message, "no trusted key has key id 951887ab8761e872")
        XCTAssertEqual(verdict.keyID.map(Hex.encode), "951887ab8761e872")
        XCTAssertFalse(verdict.signatureVerified)
        XCTAssertNil(verdict.credential)
        XCTAssertNil(verdict.claims)
        XCTAssertNil(verdict.issuer)
    }

    /// Two trusted keys filed under one kid, the first of them wrong: the verifier tries both.
    func testKeysSharingAKidAreEachTried() throws {
        let payload = try issuer("es256").issue(try credential()).payload
        let right = try TestFixtures.publicKey("es256"), wrong = try TestFixtures.publicKey("foreign")
        var store = TrustStore()
        store.append(TrustAnchor(keyID: right.keyID, key: wrong, certificate: nil, source: "wrong"))
        store.add(right, source: "right")
        XCTAssertEqual(store.anchors(for: right.keyID).map(\.source), ["wrong", "right"])
        let verdict = Verifier(trust: store, profiles: try TestFixtures.profiles()).verify(payload, at: now)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.anchor?.source, "right")

        // Only the wrong key under that kid: a bad signature, not an unknown key.
        var onlyWrong = TrustStore()
        onlyWrong.append(TrustAnchor(keyID: right.keyID, key: wrong, certificate: nil, source: "wrong"))
        let bad = Verifier(trust: onlyWrong, profiles: try TestFixtures.profiles()).verify(payload, at: now)
        XCTAssertEqual(bad.failures.map(\.code), ["SIG_INVALID"])
        XCTAssertEqual(bad.reason?.stage, .signature)
        XCTAssertEqual(bad.reason?.message, "the signature does not verify with the trusted key c141e6ca121b1f2d")
    }

    /// A payload names EdDSA; the key trusted under its kid is an ECDSA key: refused before any signature check.
    func testAlgorithmMustFitTheKey() throws {
        let payload = try issuer("ed25519").issue(try credential()).payload
        let ed = try TestFixtures.publicKey("ed25519"), ec = try TestFixtures.publicKey("es256")
        var store = TrustStore()
        store.append(TrustAnchor(keyID: ed.keyID, key: ec, certificate: nil, source: "ec"))
        let verdict = Verifier(trust: store, profiles: try TestFixtures.profiles()).verify(payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["ALG_KEY_MISMATCH"])
        XCTAssertEqual(verdict.reason?.stage, .key)
        XCTAssertEqual(verdict.reason?.message, "payload declares EdDSA but the trusted key 0e33f4fb000c1bb1 is \(ec.typeDescription)")

        // The other way round: a payload claiming ES256 under the Ed25519 key's kid.
        let forged = try HandBuilt.sign(claims: try issuer("ed25519", .version1).claims(for: try credential()).encoded(),
                                        key: TestFixtures.privateKey("ed25519"),
                                        protected: [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), .bytes(ed.keyID))])
        let confused = try TestFixtures.verifier(trusting: ["ed25519"]).verify(forged, at: now)
        XCTAssertEqual(confused.failures.map(\.code), ["ALG_KEY_MISMATCH"])
        XCTAssertEqual(confused.reason?.message, "payload declares ES256 but the trusted key 0e33f4fb000c1bb1 is \(ed.typeDescription)")
    }

    // MARK: - Tampering

    /// One Base45 character changed in the reproducible Ed25519 payload, at three places: each fails at a
    /// precise stage. Which stage depends on where the change lands, so each place is pinned.
    func testOneChangedBase45Character() throws {
        // Version 1, whose zlib layer catches changes before the signature does (QC2: has none: SIG_INVALID).
        let payload = try issuer("ed25519", .version1).issue(try credential()).payload
        let verifier = try TestFixtures.verifier(trusting: ["ed25519"])
        func tampered(at offset: Int) -> Verdict {
            var characters = Array(payload)
            let index = offset >= 0 ? offset : characters.count + offset
            characters[index] = characters[index] == "0" ? "1" : "0"
            return verifier.verify(String(characters), at: now)
        }
        // The last character holds the end of zlib's Adler-32 checksum over the COSE bytes.
        let checksum = tampered(at: -1)
        XCTAssertEqual(checksum.failures.map(\.code), ["ZLIB_BAD_DATA"])
        XCTAssertEqual(checksum.reason?.stage, .zlib)
        XCTAssertEqual(checksum.reason?.message, "zlib data is corrupt: incorrect data check")
        // The first characters after the prefix hold the zlib header (CMF, FLG with its check bits).
        let header = tampered(at: 4)
        XCTAssertEqual(header.reason?.stage, .zlib)
        XCTAssertEqual(header.reason?.code, "ZLIB_BAD_DATA")
        // A character changed to a value no Base45 triple can have.
        var characters = Array(payload)
        characters[characters.count / 2] = "a"
        let alphabet = verifier.verify(String(characters), at: now)
        XCTAssertEqual(alphabet.reason?.stage, .base45)
        XCTAssertEqual(alphabet.reason?.code, "B45_BAD_CHAR")
        for verdict in [checksum, header, alphabet] {
            XCTAssertFalse(verdict.signatureVerified)
            XCTAssertNil(verdict.credential)
        }
    }

    /// A forger who re-encodes every layer correctly but changes the record: the signature catches it.
    func testChangedRecordWithValidEncodingFailsTheSignature() throws {
        let issued = try issuer("es256").issue(try credential())
        var cose = try Payload.decode(issued.payload).cose
        let claims = try CBORDecoder.decode(cose.payload)
        var forgedClaims = try CWTClaims.decode(claims)
        let forgedRecord = try credential(["class": "CE", "expiry_date": "2099-12-31"])
        forgedClaims.others = [CBORPair(.int(CWTClaims.Key.credential), .map([CBORPair(.int(1), .text("vn.dl")), CBORPair(.int(2), forgedRecord.cbor)]))]
        forgedClaims.expiresAt = forgedRecord.validUntil
        cose.payload = CBOREncoder.encode(forgedClaims.encoded())
        let forged = Payload.encode(cose)
        XCTAssertNotEqual(forged, issued.payload)
        let verdict = try TestFixtures.verifier(trusting: ["es256"]).verify(forged, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["SIG_INVALID"])
        XCTAssertEqual(verdict.reason?.stage, .signature)
        XCTAssertFalse(verdict.signatureVerified)
        XCTAssertNil(verdict.credential)
        XCTAssertNil(verdict.claims)
        XCTAssertNil(verdict.expiresAt)
    }

    func testUnknownCredentialTypeStillShowsTheSignatureVerified() throws {
        let payload = try issuer("es256").issue(try credential()).payload
        var store = TrustStore()
        store.add(try TestFixtures.publicKey("es256"), source: "k")
        let verdict = Verifier(trust: store, profiles: []).verify(payload, at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["CONTENT_UNKNOWN_TYPE"])
        XCTAssertEqual(verdict.reason?.stage, .content)
        XCTAssertEqual(verdict.reason?.message, "credential type vn.dl has no profile here")
        XCTAssertTrue(verdict.signatureVerified)
        XCTAssertNil(verdict.credential)
    }

    func testEveryFailureIsKeptInStepOrder() throws {
        // Unknown type (content, step 9) and expired (validity, step 10): both reported, content first as docs/FORMAT.md §5 orders them.
        let payload = try issuer("es256").issue(try credential()).payload
        var store = TrustStore()
        store.add(try TestFixtures.publicKey("es256"), source: "k")
        let verdict = Verifier(trust: store, profiles: []).verify(payload, at: 2_100_000_000)
        XCTAssertEqual(verdict.failures.map(\.code), ["CONTENT_UNKNOWN_TYPE", "CWT_EXPIRED"])
        XCTAssertEqual(verdict.failures.map(\.stage), [.content, .validity])
    }

    // MARK: - Permits

    func testPermitProfilesRoundTrip() throws {
        let verifier = try TestFixtures.verifier(trusting: ["ed25519"])
        let signer = try issuer("ed25519")
        for (name, file) in [("transport-permit", "transport-permits.csv"), ("construction-permit", "construction-permits.csv")] {
            let profile = try TestFixtures.profile(name)
            var reader = CSVRecordReader(handle: try FileHandle(forReadingFrom: TestFixtures.url("records/\(file)")), source: file)
            var checker = RecordChecker(profile: profile)
            for item in try RecordText.drain(&reader) {
                guard case .success(let (_, record)) = checker.check(item) else { return XCTFail("\(item)") }
                let issued = try signer.issue(record)
                let verdict = verifier.verify(issued.payload, at: try XCTUnwrap(record.validFrom) + 86_400)
                XCTAssertTrue(verdict.isValid, "\(record.id): \(verdict.failures)")
                XCTAssertEqual(verdict.credential, record)
                if name == "transport-permit" {
                    XCTAssertNil(verdict.expiresAt)  // issued without a term: explicit in the profile
                } else {
                    XCTAssertEqual(verdict.expiresAt, record.validUntil)
                    XCTAssertEqual(verifier.verify(issued.payload, at: try XCTUnwrap(record.validUntil)).failures.map(\.code), ["CWT_EXPIRED"])
                }
            }
        }
    }
}

/// COSE messages built by hand with the CBOR encoder and signed with a real key, for shapes `Issuer` never makes.
enum HandBuilt {
    /// `QC1:` (or `prefix`) + Base45(zlib(item)), for any CBOR item.
    static func payload(_ item: CBOR, prefix: Payload.Prefix = .qrcert) -> String {
        prefix.rawValue + Base45.encode(Deflate.compress(CBOREncoder.encode(item, deterministic: false)))
    }

    /// Signs `claims` with `key`; the protected header defaults to `{1: alg, 4: kid}`.
    static func sign(claims: CBOR, key: PrivateKey, protected: [CBORPair]? = nil, unprotected: [CBORPair] = [],
                     tags: [UInt64] = [CoseSign1.tag], prefix: Payload.Prefix = .qrcert) throws -> String {
        let header = protected ?? [CBORPair(.int(1), .int(key.algorithm.rawValue)), CBORPair(.int(4), .bytes(key.publicKey.keyID))]
        var message = CoseSign1(protectedHeader: header, unprotectedHeader: unprotected,
                                payload: CBOREncoder.encode(claims), tags: tags)
        message.signature = try key.sign(message.toBeSigned())
        return prefix.rawValue + Base45.encode(Deflate.compress(message.encoded()))
    }
}

import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// `verify --trust-ca`: signer certificates under a CSCA, made with the openssl CLI, carried in the payload
/// (x5chain) or given as anchors; each way a signer fails to chain has its code, and an x5chain certificate
/// never becomes a key on its own.
final class CertificateChainVerifierTests: XCTestCase {
    var folder: URL!
    var key: PrivateKey!
    var publicKeyPath: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-x5chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
        key = try PrivateKey.generate(.es256)
        publicKeyPath = path("signer.pub.pem")
        try key.publicKey.pemText.write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
        try makeCA("csca")
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: text, as: UTF8.self))
    }

    private func makeCA(_ name: String, subject: String = "/C=VN/O=Bo Cong an/CN=CSCA Viet Nam TEST-ONLY") throws {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).key"),
                     "-out", path("\(name).pem"), "-days", "3650", "-subj", subject,
                     "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// A certificate for the test's signing key under CA `ca`: valid from now for `days`, with `extensions`.
    private func certify(_ name: String, by ca: String = "csca", days: Int = 3650,
                         extensions: String = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n") throws -> Certificate {
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).throwaway"),
                     "-subj", "/CN=placeholder", "-out", path("\(name).csr")])
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-force_pubkey", publicKeyPath, "-subj", "/C=VN/O=CSGT Da Nang/CN=\(name)",
                     "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"), "-days", "\(days)", "-extfile", path("\(name).ext"), "-out", path("\(name).pem")])
        return try XCTUnwrap(try Certificate.all(pem: String(contentsOfFile: path("\(name).pem"), encoding: .utf8)).first)
    }

    /// A licence signed on the civil date `daysAfterStart` days after `certificate` starts (iat is that date's
    /// midnight in Viet Nam, up to a day earlier than the instant), carrying it as x5chain (the library
    /// Issuer does not refuse a window its certificate does not cover: BatchIssue does, so the verifier can be tried).
    private func payload(under certificate: Certificate, daysAfterStart: Int64 = 2, embed: Bool = true) throws -> (String, Int64) {
        let start = certificate.notBefore + daysAfterStart * 86_400
        let date = Timestamp.iso(start).prefix(10)
        let licence = try TrustListSupport.licence(["issue_date": String(date), "expiry_date": "2036-01-01"])
        // Signed here rather than by Issuer, which refuses a CA certificate or one without digitalSignature.
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: licence)
        var message = CoseSign1(protectedHeader: [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                                                  CBORPair(.int(CoseSign1.kidLabel), .bytes(certificate.keyID))],
                                unprotectedHeader: embed ? [CBORPair(.int(CoseSign1.x5chainLabel), .bytes(certificate.derBytes))] : [],
                                payload: CBOREncoder.encode(claims.encoded()))
        message.signature = try key.sign(message.toBeSigned())
        return (Payload.encode(message), try XCTUnwrap(claims.issuedAt) + 86_400)
    }

    private func verifier(cas: [String], trusting certificates: [Certificate] = []) throws -> Verifier {
        var store = TrustStore()
        for name in cas { try store.add(authorityFileBytes: Array(try Data(contentsOf: URL(fileURLWithPath: path("\(name).pem")))), source: "\(name).pem") }
        for certificate in certificates { store.add(certificate, source: "signer.pem") }
        return Verifier(trust: store, profiles: try TestFixtures.profiles())
    }

    func testASignerCarriedInThePayloadIsTrustedOnlyThroughTheCSCA() throws {
        let signer = try certify("good")
        let (text, at) = try payload(under: signer)
        let verdict = try verifier(cas: ["csca"]).verify(text, at: at)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.anchor?.source, "x5chain in the payload, under CA csca.pem")
        XCTAssertEqual(verdict.keyID, signer.keyID)
        // Without a CA the x5chain is not even read: the kid is unknown, and the hint says what to pass.
        var keysOnly = TrustStore()
        keysOnly.add(try TestFixtures.publicKey("es256"), source: "k")
        let alone = Verifier(trust: keysOnly, profiles: try TestFixtures.profiles()).verify(text, at: at)
        XCTAssertEqual(alone.failures.map(\.code), ["KID_UNKNOWN"])
        XCTAssertEqual(alone.failures.first?.hint, "the payload carries its signer certificate (x5chain): pass the CA that issued it with --trust-ca")
        // Given with --trust instead of carried, it must chain too while a CA is trusted.
        let (bare, _) = try payload(under: signer, embed: false)
        XCTAssertTrue(try verifier(cas: ["csca"], trusting: [signer]).verify(bare, at: at).isValid)
        XCTAssertEqual(try verifier(cas: ["csca"]).verify(bare, at: at).failures.map(\.code), ["KID_UNKNOWN"])
    }

    func testEachWayASignerFailsToChainHasItsCodeAndShowsNothing() throws {
        try makeCA("other", subject: "/C=VN/CN=Some other CA")
        let cases: [(String, Certificate, Int64, String)] = [
            ("expired signer", try certify("short", days: 2), 5, "CHAIN_EXPIRED"),
            ("wrong keyUsage", try certify("encipher", extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n"), 2, "CERT_NOT_SIGNER"),
            ("CA as signer", try certify("ca-signer", extensions: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\n"), 2, "CERT_NOT_SIGNER"),
            ("not chaining", try certify("stranger", by: "other"), 2, "CHAIN_UNTRUSTED"),
        ]
        for (what, certificate, days, code) in cases {
            let (text, at) = try payload(under: certificate, daysAfterStart: days)
            let verdict = try verifier(cas: ["csca"]).verify(text, at: at)
            XCTAssertEqual(verdict.failures.map(\.code), [code], what)
            XCTAssertEqual(verdict.failures.first?.stage, .key, what)
            XCTAssertFalse(verdict.signatureVerified, what)
            XCTAssertNil(verdict.anchor, what)
            XCTAssertNil(verdict.credential, what)
            XCTAssertNil(verdict.claims, what)
        }
        let (late, at) = try payload(under: try certify("late", days: 2), daysAfterStart: 5)
        XCTAssertEqual(try verifier(cas: ["csca"]).verify(late, at: at).failures.first?.message,
                       "signer certificate CN=late,O=CSGT Da Nang,C=VN is not valid at \(Timestamp.iso(at - 86_400)), when the credential was issued")
    }

    func testABrokenX5ChainIsRefusedAndAMismatchedOneIgnored() throws {
        let signer = try certify("good")
        let (text, at) = try payload(under: signer)
        let cose = try Payload.decode(text).cose
        // x5chain that is not a certificate.
        var broken = cose
        broken.unprotectedHeader = [CBORPair(.int(CoseSign1.x5chainLabel), .bytes([0x30, 0x03, 0x02, 0x01, 0x00]))]
        XCTAssertEqual(try verifier(cas: ["csca"]).verify(Payload.encode(broken), at: at).failures.map(\.code), ["COSE_BAD_X5CHAIN"])
        broken.unprotectedHeader = [CBORPair(.int(CoseSign1.x5chainLabel), .text("x"))]
        XCTAssertEqual(try verifier(cas: ["csca"]).verify(Payload.encode(broken), at: at).failures.map(\.code), ["COSE_BAD_X5CHAIN"])
        // Another valid certificate of the CSCA in x5chain: its kid is not the payload's, so it finds no key.
        let other = try certify("other-signer")
        var swapped = cose
        swapped.unprotectedHeader = [CBORPair(.int(CoseSign1.x5chainLabel), .bytes(other.derBytes))]
        XCTAssertEqual(try verifier(cas: ["csca"]).verify(Payload.encode(swapped), at: at).failures.map(\.code), ["KID_UNKNOWN"])
    }

    func testATrustListMayListTheCSCAWithItsScope() throws {
        let signer = try certify("good")
        let (text, at) = try payload(under: signer)
        let csca = try XCTUnwrap(try Certificate.all(pem: String(contentsOfFile: path("csca.pem"), encoding: .utf8)).first)
        let root = try PrivateKey.generate(.es256)
        func store(types: [String], removed: Bool = false) throws -> Verifier {
            var list = try TrustList(header: TrustListSupport.header(issuedAt: at - 86_400), environment: .production, authority: "Bộ Công an")
            try list.add(try TrustListEntry(certificate: csca, issuer: "Cục Cảnh sát giao thông", types: types))
            if removed { try list.remove(keyID: csca.keyID, at: at - 3_600, reason: "CSCA key stolen") }
            var trust = TrustStore()
            trust.add(try TrustListSupport.roundTrip(list, root: root), source: "trust.cose")
            XCTAssertEqual(trust.authorities.count, 1)
            return Verifier(trust: trust, profiles: try TestFixtures.profiles())
        }
        let allowed = try store(types: ["vn.dl"]).verify(text, at: at)
        XCTAssertTrue(allowed.isValid, "\(allowed.failures)")
        XCTAssertEqual(allowed.anchor?.listing?.issuer, "Cục Cảnh sát giao thông")
        // The CA's listing scopes every signer under it.
        XCTAssertEqual(try store(types: ["vn.tp"]).verify(text, at: at).failures.map(\.code), ["KEY_SCOPE"])
        // And its removal takes them all.
        let removed = try store(types: ["vn.dl"], removed: true).verify(text, at: at)
        XCTAssertEqual(removed.failures.map(\.code), ["KEY_COMPROMISED"])
        XCTAssertFalse(removed.signatureVerified)
    }

    func testATrustCAFileMustHoldCAs() throws {
        let signer = try certify("good")
        var store = TrustStore()
        XCTAssertThrowsError(try store.add(authority: signer, source: "good.pem")) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "TRUST_CA_NOT_CA")
            XCTAssertEqual((error as? QRCertError)?.message, "good.pem: CN=good,O=CSGT Da Nang,C=VN is not a CA certificate (no basicConstraints cA=TRUE)")
        }
    }
}

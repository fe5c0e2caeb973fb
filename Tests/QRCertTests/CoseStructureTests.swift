import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// COSE_Sign1 shapes built by hand with the CBOR encoder and signed with a real key: what the verifier
/// accepts (tag forms, a kid found only in the unprotected header) and what it refuses, with stage and code.
final class CoseStructureTests: XCTestCase {
    var key: PrivateKey!
    var claims: CBOR!
    var verifier: Verifier!
    let now: Int64 = 1_748_736_000

    override func setUpWithError() throws {
        key = try TestFixtures.privateKey("es256")
        let profile = try TestFixtures.profile("driving-licence")
        let record: Credential
        do throws(RejectedRow) {
            record = try Credential(row: LicenceRow.make(), profile: profile)
        } catch {
            throw error.error
        }
        claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: record).encoded()
        verifier = try TestFixtures.verifier(trusting: ["es256"])
    }

    private var kid: CBOR { .bytes(key.publicKey.keyID) }

    /// The four parts of a correctly signed message, to be reassembled in broken ways.
    private func signedParts(protected: [CBORPair]? = nil, unprotected: [CBORPair] = []) throws -> [CBOR] {
        let header = protected ?? [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), kid)]
        var message = CoseSign1(protectedHeader: header, unprotectedHeader: unprotected, payload: CBOREncoder.encode(claims))
        message.signature = try key.sign(message.toBeSigned())
        return [.bytes(message.protectedBytes), .map(unprotected), .bytes(message.payload), .bytes(message.signature)]
    }

    private func codes(_ payload: String) -> [String] { verifier.verify(payload, at: now).failures.map(\.code) }

    func testTheWellFormedBaselineIsValid() throws {
        let payload = HandBuilt.payload(.tagged(18, .array(try signedParts())))
        XCTAssertEqual(codes(payload), [])
    }

    func testUntaggedAndCWTWrappedFormsAreAccepted() throws {
        let parts = try signedParts()
        XCTAssertEqual(codes(HandBuilt.payload(.array(parts))), [])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(61, .tagged(18, .array(parts))))), [])
    }

    func testThreeElementArray() throws {
        let parts = try signedParts()
        let verdict = verifier.verify(HandBuilt.payload(.tagged(18, .array(Array(parts.prefix(3))))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["COSE_BAD_STRUCTURE"])
        XCTAssertEqual(verdict.reason?.stage, .cose)
        XCTAssertEqual(verdict.reason?.message, "COSE_Sign1 must be an array of 4 items")
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(parts + [.null])))), ["COSE_BAD_STRUCTURE"])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .map([]))) ), ["COSE_BAD_STRUCTURE"])
    }

    func testWrongTag() throws {
        let parts = try signedParts()
        // 98 is COSE_Sign (several signers), 17 is COSE_Mac0: neither is a COSE_Sign1.
        let verdict = verifier.verify(HandBuilt.payload(.tagged(98, .array(parts))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["COSE_BAD_TAG"])
        XCTAssertEqual(verdict.reason?.stage, .cose)
        XCTAssertEqual(verdict.reason?.message, "unexpected CBOR tags [98] around COSE_Sign1 (expected 18, 61(18) or none)")
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(17, .array(parts)))), ["COSE_BAD_TAG"])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .tagged(61, .array(parts))))), ["COSE_BAD_TAG"])
    }

    func testPartsOfTheWrongType() throws {
        let parts = try signedParts()
        func with(_ index: Int, _ item: CBOR) -> String {
            var changed = parts
            changed[index] = item
            return HandBuilt.payload(.tagged(18, .array(changed)))
        }
        XCTAssertEqual(codes(with(0, .map([CBORPair(.int(1), .int(-7))]))), ["COSE_BAD_STRUCTURE"])  // protected not wrapped in bstr
        XCTAssertEqual(codes(with(1, .bytes([0xA0]))), ["COSE_BAD_STRUCTURE"])
        XCTAssertEqual(codes(with(2, .null)), ["COSE_BAD_STRUCTURE"])                                // detached payload
        XCTAssertEqual(codes(with(3, .text("sig"))), ["COSE_BAD_STRUCTURE"])
        XCTAssertEqual(codes(with(0, .bytes([0x81, 0x01]))), ["COSE_BAD_HEADER"])                    // protected is an array
        XCTAssertEqual(codes(with(0, .bytes([0xA1, 0x01]))), ["COSE_BAD_HEADER"])                    // truncated map
    }

    /// qrcert payloads must carry `alg` in the protected header: an unprotected `alg` is never trusted.
    func testUnprotectedAlgorithmInAQC1Payload() throws {
        let parts = try signedParts(protected: [CBORPair(.int(4), kid)], unprotected: [CBORPair(.int(1), .int(-7))])
        let verdict = verifier.verify(HandBuilt.payload(.tagged(18, .array(parts))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["COSE_NO_ALG"])
        XCTAssertEqual(verdict.reason?.stage, .cose)
        XCTAssertEqual(verdict.reason?.message, "no algorithm (alg) in the protected header")
        XCTAssertFalse(verdict.signatureVerified)
        // The same message under the EU DCC prefix: foreign issuers may put alg there, and the signature is checked.
        let dcc = verifier.verify(HandBuilt.payload(.tagged(18, .array(parts)), prefix: .dcc), at: now)
        XCTAssertTrue(dcc.signatureVerified, "\(dcc.failures)")
        XCTAssertEqual(dcc.algorithm, -7)
    }

    func testKeyIDRules() throws {
        // Only in the unprotected header: it may find the key; the signature still decides.
        let unprotectedKid = try signedParts(protected: [CBORPair(.int(1), .int(-7))], unprotected: [CBORPair(.int(4), kid)])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(unprotectedKid)))), [])
        // In both: the protected one wins, a misleading unprotected kid is ignored.
        let misleading = try signedParts(unprotected: [CBORPair(.int(4), .bytes([1, 2, 3, 4, 5, 6, 7, 8]))])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(misleading)))), [])
        // None at all.
        let none = try signedParts(protected: [CBORPair(.int(1), .int(-7))])
        let verdict = verifier.verify(HandBuilt.payload(.tagged(18, .array(none))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["COSE_NO_KID"])
        XCTAssertEqual(verdict.reason?.stage, .cose)
        // Not a byte string.
        let text = try signedParts(protected: [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), .text("c141e6ca121b1f2d"))])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(text)))), ["COSE_BAD_HEADER"])
    }

    func testUnsupportedAlgorithm() throws {
        // -257 is RS256 (RSASSA-PKCS1-v1_5), which qrcert does not verify.
        let parts = try signedParts(protected: [CBORPair(.int(1), .int(-257)), CBORPair(.int(4), kid)])
        let verdict = verifier.verify(HandBuilt.payload(.tagged(18, .array(parts))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["ALG_UNSUPPORTED"])
        XCTAssertEqual(verdict.reason?.stage, .key)
        let textAlg = try signedParts(protected: [CBORPair(.int(1), .text("ES256")), CBORPair(.int(4), kid)])
        XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(textAlg)))), ["ALG_UNSUPPORTED"])
    }

    /// The signature covers the protected header's exact bytes: the same header re-serialised differently
    /// (keys in another order) no longer verifies.
    func testTheSignatureCoversTheExactProtectedBytes() throws {
        var parts = try signedParts()
        parts[0] = .bytes(CBOREncoder.encode(.map([CBORPair(.int(4), kid), CBORPair(.int(1), .int(-7))]), deterministic: false))
        let verdict = verifier.verify(HandBuilt.payload(.tagged(18, .array(parts))), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["SIG_INVALID"])
        XCTAssertEqual(verdict.keyID, key.publicKey.keyID)
    }

    func testSignatureOfTheWrongLengthIsInvalidNotACrash() throws {
        var parts = try signedParts()
        for count in [0, 63, 65, 72] {
            parts[3] = .bytes([UInt8](repeating: 1, count: count))
            XCTAssertEqual(codes(HandBuilt.payload(.tagged(18, .array(parts)))), ["SIG_INVALID"], "\(count)")
        }
    }

    func testSignedClaimsThatAreNotACWTMap() throws {
        var message = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), kid)],
                                payload: CBOREncoder.encode(.array([.int(1)])))
        message.signature = try key.sign(message.toBeSigned())
        let verdict = verifier.verify(Payload.encode(message), at: now)
        XCTAssertEqual(verdict.failures.map(\.code), ["CWT_NOT_MAP"])
        XCTAssertTrue(verdict.signatureVerified)

        var garbage = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), kid)], payload: [0xA1, 0x01])
        garbage.signature = try key.sign(garbage.toBeSigned())
        let broken = verifier.verify(Payload.encode(garbage), at: now)
        XCTAssertEqual(broken.reason?.stage, .cbor)
        XCTAssertTrue(broken.reason?.message.hasPrefix("signed claims are not valid CBOR: ") ?? false, "\(String(describing: broken.reason))")
    }

    func testPrefixStage() {
        for (text, code) in [("", "PREFIX_UNKNOWN"), ("QC3:ABC", "PREFIX_UNKNOWN"), ("qc1:ABC", "PREFIX_UNKNOWN"),
                             ("QC1:", "ZLIB_BAD_DATA"), ("QC2:", "CBOR_TRUNCATED"), (String(repeating: "A", count: 4297), "PAYLOAD_TOO_LONG")] {
            XCTAssertEqual(codes(text), [code], text.prefix(12).description)
        }
        XCTAssertEqual(verifier.verify("QC3:ABC", at: now).reason?.stage, .prefix)
        XCTAssertEqual(verifier.verify("QC3:ABC", at: now).reason?.message,
                       "payload does not start with a known prefix (QC1:, QC2:, HC1:), found \"QC3\"")
    }
}

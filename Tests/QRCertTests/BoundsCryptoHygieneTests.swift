import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The cryptographic rules of docs/HOSTILE.md, one test each: the key decides the algorithm, `alg` is
/// protected, there is no "none", signatures have their exact length, and a kid shared by a wrong key
/// never hides the right one.
final class CryptoHygieneTests: XCTestCase {
    /// 2025-06-01T00:00:00Z, inside the window of the default licence.
    let now: Int64 = 1_748_736_000

    private var claims: CBOR!
    private var es256: PrivateKey!
    private var ed25519: PrivateKey!
    private var es384: PrivateKey!
    private static let rsa = Result { try PrivateKey.generate(.ps256) }

    override func setUpWithError() throws {
        let profile = try TestFixtures.profile("driving-licence")
        let credential: Credential
        do throws(RejectedRow) {
            credential = try Credential(row: LicenceRow.make(), profile: profile)
        } catch {
            throw error.error
        }
        es256 = try TestFixtures.privateKey("es256")
        ed25519 = try TestFixtures.privateKey("ed25519")
        let es384Text = try String(contentsOf: TestFixtures.url("vectors/keys/TEST-ONLY-es384.key.pem"), encoding: .utf8)
        es384 = try PrivateKey.pem(es384Text, passphrase: nil)
        claims = try Issuer(key: es256, name: TestFixtures.issuerName, encoding: .version1).claims(for: credential).encoded()
    }

    private func verifier(_ keys: [PrivateKey]) -> Verifier {
        var store = TrustStore()
        for key in keys { store.add(key.publicKey, source: key.algorithm.name) }
        return Verifier(trust: store, profiles: (try? TestFixtures.profiles()) ?? [])
    }

    private func header(alg: CBOR?, kid: [UInt8]?) -> [CBORPair] {
        var pairs: [CBORPair] = []
        if let alg { pairs.append(CBORPair(.int(1), alg)) }
        if let kid { pairs.append(CBORPair(.int(4), .bytes(kid))) }
        return pairs
    }

    /// A message signed by `key` with the given headers; `signature` rewrites the signature bytes.
    private func payload(key: PrivateKey, protected: [CBORPair], unprotected: [CBORPair] = [],
                         prefix: Payload.Prefix = .qrcert, signature: ([UInt8]) -> [UInt8] = { $0 }) throws -> String {
        var message = CoseSign1(protectedHeader: protected, unprotectedHeader: unprotected, payload: CBOREncoder.encode(claims))
        message.signature = signature(try key.sign(message.toBeSigned()))
        return Payload.encode(message, prefix: prefix)
    }

    private func failures(_ verdict: Verdict) -> [String] { verdict.failures.map(\.code) }

    // MARK: The key decides the algorithm

    func testEveryAlgorithmOtherThanTheKeysIsRefusedBeforeAnySignatureCheck() throws {
        let rsa = try Self.rsa.get()
        let keys: [PrivateKey] = [es256, es384, ed25519, rsa]
        let verifier = verifier(keys)
        for key in keys {
            for declared in SignatureAlgorithm.allCases {
                let text = try payload(key: key, protected: header(alg: .int(declared.rawValue), kid: key.publicKey.keyID))
                let verdict = verifier.verify(text, at: now)
                if declared == key.algorithm {
                    XCTAssertTrue(verdict.isValid, "\(key.algorithm.name): \(verdict.failures)")
                    continue
                }
                XCTAssertEqual(failures(verdict), ["ALG_KEY_MISMATCH"], "\(key.algorithm.name) key, \(declared.name) declared")
                XCTAssertEqual(verdict.reason?.message,
                               "payload declares \(declared.name) but the trusted key \(Hex.encode(key.publicKey.keyID)) is \(key.publicKey.typeDescription)")
                XCTAssertFalse(verdict.signatureVerified)
                // The key refuses it on its own too.
                XCTAssertThrowsError(try key.publicKey.verify([UInt8](repeating: 0, count: 64), of: [1], algorithm: declared)) { error in
                    XCTAssertEqual((error as? QRCertError)?.code, "KEY_ALG_MISMATCH")
                }
            }
        }
    }

    func testKeyTypesMapToExactlyOneAlgorithm() throws {
        XCTAssertEqual(es256.publicKey.algorithms, [.es256])
        XCTAssertEqual(es384.publicKey.algorithms, [.es384])
        XCTAssertEqual(ed25519.publicKey.algorithms, [.edDSA])
        XCTAssertEqual(try Self.rsa.get().publicKey.algorithms, [.ps256])
        XCTAssertEqual(try Self.rsa.get().publicKey.typeDescription, "RSA-3072")
    }

    // MARK: alg in the protected header

    func testQC1PayloadsNeedAlgInTheProtectedHeader() throws {
        let verifier = verifier([ed25519])
        let kid = ed25519.publicKey.keyID
        let unprotectedOnly = try payload(key: ed25519, protected: header(alg: nil, kid: kid), unprotected: header(alg: .int(-8), kid: nil))
        let verdict = verifier.verify(unprotectedOnly, at: now)
        XCTAssertEqual(failures(verdict), ["COSE_NO_ALG"])
        XCTAssertEqual(verdict.reason?.message, "no algorithm (alg) in the protected header")
        XCTAssertFalse(verdict.signatureVerified)
        XCTAssertEqual(failures(verifier.verify(try payload(key: ed25519, protected: header(alg: nil, kid: kid)), at: now)), ["COSE_NO_ALG"])
    }

    /// EU DCC issuers may put `alg` only in the unprotected header; it must still match the key, and it
    /// never overrides a protected `alg`.
    func testAnUnprotectedAlgIsForHC1OnlyAndMustMatchTheKey() throws {
        let verifier = verifier([ed25519])
        let kid = ed25519.publicKey.keyID
        let matching = try payload(key: ed25519, protected: header(alg: nil, kid: kid), unprotected: header(alg: .int(-8), kid: nil), prefix: .dcc)
        let good = verifier.verify(matching, at: now)
        XCTAssertTrue(good.signatureVerified, "\(good.failures)")
        XCTAssertEqual(good.algorithm, -8)

        let other = try payload(key: ed25519, protected: header(alg: nil, kid: kid), unprotected: header(alg: .int(-7), kid: nil), prefix: .dcc)
        XCTAssertEqual(failures(verifier.verify(other, at: now)), ["ALG_KEY_MISMATCH"])

        // Protected EdDSA, unprotected ES256: the unprotected value is ignored.
        let ignored = try payload(key: ed25519, protected: header(alg: .int(-8), kid: kid), unprotected: header(alg: .int(-7), kid: nil), prefix: .dcc)
        XCTAssertTrue(verifier.verify(ignored, at: now).signatureVerified)
        // Protected ES256 (wrong for this key), unprotected EdDSA: no rescue from the unprotected header.
        let rescue = try payload(key: ed25519, protected: header(alg: .int(-7), kid: kid), unprotected: header(alg: .int(-8), kid: nil), prefix: .dcc)
        XCTAssertEqual(failures(verifier.verify(rescue, at: now)), ["ALG_KEY_MISMATCH"])
        let rescueQC1 = try payload(key: ed25519, protected: header(alg: .int(-7), kid: kid), unprotected: header(alg: .int(-8), kid: nil))
        XCTAssertEqual(failures(verifier.verify(rescueQC1, at: now)), ["ALG_KEY_MISMATCH"])
    }

    // MARK: No "none"

    func testThereIsNoNoneAlgorithmAndNoUnsignedPayload() throws {
        let verifier = verifier([es256])
        let kid = es256.publicKey.keyID
        // JOSE's "none", COSE's reserved 0, and an algorithm qrcert does not know: unsupported, never "skip the check".
        for alg in [CBOR.text("none"), .int(0), .int(-65535), .null, .bytes([])] {
            let text = try payload(key: es256, protected: header(alg: alg, kid: kid), signature: { _ in [] })
            let verdict = verifier.verify(text, at: now)
            XCTAssertEqual(failures(verdict), ["ALG_UNSUPPORTED"], "\(alg)")
            XCTAssertEqual(verdict.reason?.stage, .key)
            XCTAssertFalse(verdict.signatureVerified)
        }
        // A real algorithm with no signature at all.
        let unsigned = try payload(key: es256, protected: header(alg: .int(-7), kid: kid), signature: { _ in [] })
        XCTAssertEqual(failures(verifier.verify(unsigned, at: now)), ["SIG_INVALID"])
        // HC1 with "none" unprotected.
        let dcc = try payload(key: es256, protected: header(alg: nil, kid: kid), unprotected: header(alg: .text("none"), kid: nil),
                              prefix: .dcc, signature: { _ in [] })
        XCTAssertEqual(failures(verifier.verify(dcc, at: now)), ["ALG_UNSUPPORTED"])
    }

    // MARK: Exact signature length

    func testSignaturesMustHaveTheirExactLength() throws {
        let rsa = try Self.rsa.get()
        for (key, length) in [(es256!, 64), (es384!, 96), (ed25519!, 64), (rsa, 384)] {
            let verifier = verifier([key])
            let protected = header(alg: .int(key.algorithm.rawValue), kid: key.publicKey.keyID)
            XCTAssertTrue(verifier.verify(try payload(key: key, protected: protected), at: now).isValid, key.algorithm.name)
            var seen = 0
            _ = try payload(key: key, protected: protected) { seen = $0.count; return $0 }
            XCTAssertEqual(seen, length, key.algorithm.name)
            for (name, change) in [
                ("a zero byte appended", { (s: [UInt8]) in s + [0] }),
                ("a zero byte prepended", { [0] + $0 }),
                ("the last byte dropped", { Array($0.dropLast()) }),
                ("doubled", { $0 + $0 }),
            ] as [(String, ([UInt8]) -> [UInt8])] {
                let verdict = verifier.verify(try payload(key: key, protected: protected, signature: change), at: now)
                XCTAssertEqual(failures(verdict), ["SIG_INVALID"], "\(key.algorithm.name), \(name)")
            }
        }
    }

    /// COSE ECDSA signatures are raw r||s (RFC 9053 §2.1); the DER form libcrypto uses internally is refused.
    func testADERSignatureIsRefusedWhereRawRAndSAreRequired() throws {
        let verifier = verifier([es256])
        let protected = header(alg: .int(-7), kid: es256.publicKey.keyID)
        let der = try payload(key: es256, protected: protected) { raw in
            func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
                var body = Array(bytes.drop { $0 == 0 })
                if body.isEmpty || body[0] & 0x80 != 0 { body.insert(0, at: 0) }
                return [0x02, UInt8(body.count)] + body
            }
            let content = integer(raw[..<32]) + integer(raw[32...])
            return [0x30, UInt8(content.count)] + content
        }
        XCTAssertEqual(failures(verifier.verify(der, at: now)), ["SIG_INVALID"])
    }

    /// ECDSA signatures are malleable: (r, n - s) verifies as well as (r, s). libcrypto accepts both, so a payload
    /// text is not unique; the certificate is identified by its cti (docs/HOSTILE.md, "One encoding").
    func testAnECDSASignatureHasATwinThatAlsoVerifies() throws {
        let order: [UInt8] = Array(Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551") ?? [])
        XCTAssertEqual(order.count, 32)
        func twin(_ signature: [UInt8]) -> [UInt8] {
            var s = [UInt8](repeating: 0, count: 32)
            var borrow = 0
            for index in stride(from: 31, through: 0, by: -1) {
                let difference = Int(order[index]) - Int(signature[32 + index]) - borrow
                s[index] = UInt8((difference + 256) % 256)
                borrow = difference < 0 ? 1 : 0
            }
            return Array(signature.prefix(32)) + s
        }
        let verifier = verifier([es256])
        let protected = header(alg: .int(-7), kid: es256.publicKey.keyID)
        var original: [UInt8] = [], flipped: [UInt8] = []
        let text = try payload(key: es256, protected: protected) { original = $0; flipped = twin($0); return flipped }
        XCTAssertNotEqual(original, flipped)
        XCTAssertTrue(verifier.verify(text, at: now).isValid)
    }

    // MARK: Key id collisions

    func testAWrongKeyUnderTheSameKidNeverMasksTheRightOne() throws {
        let text = try payload(key: es256, protected: header(alg: .int(-7), kid: es256.publicKey.keyID))
        let kid = es256.publicKey.keyID
        let sameType = try TestFixtures.publicKey("foreign")
        func store(_ anchors: [(PublicKey, String)]) -> Verifier {
            var store = TrustStore()
            for (key, source) in anchors { store.append(TrustAnchor(keyID: kid, key: key, certificate: nil, source: source)) }
            return Verifier(trust: store, profiles: (try? TestFixtures.profiles()) ?? [])
        }
        for order in [[(sameType, "wrong"), (es256.publicKey, "right")], [(es256.publicKey, "right"), (sameType, "wrong")],
                      [(ed25519.publicKey, "wrong"), (es256.publicKey, "right")], [(es256.publicKey, "right"), (ed25519.publicKey, "wrong")],
                      [(ed25519.publicKey, "wrong"), (sameType, "wrong"), (es256.publicKey, "right")]] {
            let verdict = store(order).verify(text, at: now)
            XCTAssertTrue(verdict.isValid, "\(order.map(\.1)): \(verdict.failures)")
            XCTAssertEqual(verdict.anchor?.source, "right")
        }
        // Only wrong keys under the kid: a bad signature or a mismatched algorithm, never a pass.
        XCTAssertEqual(failures(store([(sameType, "wrong")]).verify(text, at: now)), ["SIG_INVALID"])
        XCTAssertEqual(failures(store([(ed25519.publicKey, "wrong")]).verify(text, at: now)), ["ALG_KEY_MISMATCH"])
        XCTAssertEqual(failures(store([(ed25519.publicKey, "wrong"), (sameType, "wrong")]).verify(text, at: now)), ["SIG_INVALID"])
    }
}

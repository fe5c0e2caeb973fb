import Dispatch
import Foundation
import QRCertCrypto
import QRCertFormat
import XCTest

final class PrivateKeyTests: XCTestCase {
    let message = Array("qrcert signs this".utf8)

    func testSignVerifyRoundTripES256AndEdDSA() throws {
        for algorithm in [SignatureAlgorithm.es256, .edDSA, .es384] {
            let key = try PrivateKey.generate(algorithm)
            XCTAssertEqual(key.algorithm, algorithm)
            XCTAssertEqual(key.publicKey.algorithms, [algorithm])
            let signature = try key.sign(message)
            XCTAssertEqual(signature.count, algorithm == .es384 ? 96 : 64, algorithm.name)
            XCTAssertTrue(try key.publicKey.verify(signature, of: message, algorithm: algorithm))
            XCTAssertTrue(try key.publicKey.verify(try key.sign([]), of: [], algorithm: algorithm), "empty message")

            var tamperedMessage = message
            tamperedMessage[0] ^= 1
            XCTAssertFalse(try key.publicKey.verify(signature, of: tamperedMessage, algorithm: algorithm))
            var tamperedSignature = signature
            tamperedSignature[signature.count - 1] ^= 1
            XCTAssertFalse(try key.publicKey.verify(tamperedSignature, of: message, algorithm: algorithm))
            XCTAssertFalse(try key.publicKey.verify(Array(signature.dropLast()), of: message, algorithm: algorithm))
            XCTAssertFalse(try key.publicKey.verify(signature + [0], of: message, algorithm: algorithm))
            XCTAssertFalse(try key.publicKey.verify([], of: message, algorithm: algorithm))

            let other = try PrivateKey.generate(algorithm)
            XCTAssertFalse(try other.publicKey.verify(signature, of: message, algorithm: algorithm))
        }
    }

    func testTypeDescriptions() throws {
        XCTAssertEqual(try PrivateKey.generate(.es256).publicKey.typeDescription, "P-256")
        XCTAssertEqual(try PrivateKey.generate(.es384).publicKey.typeDescription, "P-384")
        XCTAssertEqual(try PrivateKey.generate(.edDSA).publicKey.typeDescription, "Ed25519")
        XCTAssertEqual(SignatureAlgorithm.allCases.map(\.name), ["ES256", "ES384", "PS256", "EdDSA"])
        XCTAssertEqual(SignatureAlgorithm.allCases.map(\.rawValue), [-7, -35, -37, -8])
        XCTAssertEqual(SignatureAlgorithm(name: "eddsa"), .edDSA)
        XCTAssertNil(SignatureAlgorithm(name: "RS256"))
    }

    func testEd25519SignatureIsDeterministic() throws {
        let key = try PrivateKey.generate(.edDSA)
        XCTAssertEqual(try key.sign(message), try key.sign(message))
        let ecdsa = try PrivateKey.generate(.es256)
        XCTAssertNotEqual(try ecdsa.sign(message), try ecdsa.sign(message), "ECDSA uses a fresh nonce")
    }

    /// RFC 8032 section 7.1 TEST 2: a fixed Ed25519 key, message and signature.
    func testEd25519RFC8032Vector() throws {
        // PKCS#8 (RFC 8410 section 7) around the RFC 8032 secret key.
        let secret = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
        let pkcs8 = Data(hex("302e020100300506032b657004220420" + secret))
        let pem = "-----BEGIN PRIVATE KEY-----\n\(pkcs8.base64EncodedString())\n-----END PRIVATE KEY-----\n"
        let key = try PrivateKey.pem(pem, passphrase: nil)
        XCTAssertEqual(
            hexString(key.publicKey.spkiDER),
            "302a300506032b65700321003d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        XCTAssertEqual(
            hexString(try key.sign([0x72])),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    }

    func testPEMRoundTripWithoutPassphrase() throws {
        for algorithm in [SignatureAlgorithm.es256, .edDSA] {
            let key = try PrivateKey.generate(algorithm)
            let pem = try key.pemText(passphrase: nil)
            XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), pem)
            let again = try PrivateKey.pem(pem, passphrase: nil)
            XCTAssertEqual(again.publicKey.spkiDER, key.publicKey.spkiDER)
            XCTAssertEqual(again.algorithm, algorithm)
            XCTAssertTrue(try key.publicKey.verify(try again.sign(message), of: message, algorithm: algorithm))
            // A passphrase given for an unencrypted key is not needed and does no harm.
            XCTAssertEqual(try PrivateKey.pem(pem, passphrase: Array("unused".utf8)).publicKey.keyID, key.publicKey.keyID)
        }
    }

    func testPEMRoundTripWithPassphrase() throws {
        let key = try PrivateKey.generate(.es256)
        let passphrase = Array("correct horse battery staple".utf8)
        let pem = try key.pemText(passphrase: passphrase)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), pem)
        XCTAssertFalse(pem.contains(try key.pemText(passphrase: nil).split(separator: "\n")[1]))
        let again = try PrivateKey.pem(pem, passphrase: passphrase)
        XCTAssertEqual(again.publicKey.spkiDER, key.publicKey.spkiDER)

        // The openssl tool reads it with the same passphrase and sees scrypt + AES-256-CBC.
        let path = try temporaryFile(Array(pem.utf8), in: self)
        let spki = try runTool(["openssl", "pkey", "-in", path, "-passin", "pass:correct horse battery staple",
                            "-pubout", "-outform", "DER"])
        XCTAssertEqual(spki, key.publicKey.spkiDER)
        let structure = String(decoding: try runTool(["openssl", "asn1parse", "-in", path]), as: UTF8.self)
        XCTAssertTrue(structure.contains(":PBES2"), structure)
        XCTAssertTrue(structure.contains(":scrypt"), structure)
        XCTAssertTrue(structure.contains("INTEGER           :4000"), "scrypt N = 2^14: \(structure)")
        XCTAssertTrue(structure.contains("aes-256-cbc"), structure)

        assertThrowsCode("KEY_BAD_PASSPHRASE", stage: .key) { _ = try PrivateKey.pem(pem, passphrase: Array("wrong".utf8)) }
        assertThrowsCode("KEY_PASSPHRASE_EMPTY", stage: .key) { _ = try key.pemText(passphrase: []) }
    }

    func testEncryptedWithoutPassphraseNeverPrompts() throws {
        let pem = try PrivateKey.generate(.edDSA).pemText(passphrase: Array("secret".utf8))
        // Run off the test thread: a prompt on the terminal would block, and the wait below catches that.
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var code: String?
        DispatchQueue.global().async {
            do { _ = try PrivateKey.pem(pem, passphrase: nil) } catch { code = (error as? QRCertError)?.code }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "PrivateKey.pem blocked (a passphrase prompt?)")
        XCTAssertEqual(code, "KEY_PASSPHRASE_REQUIRED")
    }

    func testEncryptedKeyFromOpenSSLTool() throws {
        let pem = try runTool(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                           "-aes-256-cbc", "-pass", "pass:tool secret"])
        let text = String(decoding: pem, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let key = try PrivateKey.pem(text, passphrase: Array("tool secret".utf8))
        XCTAssertEqual(key.algorithm, .es256)
        let path = try temporaryFile(pem, in: self)
        let spki = try runTool(["openssl", "pkey", "-in", path, "-passin", "pass:tool secret", "-pubout", "-outform", "DER"])
        XCTAssertEqual(key.publicKey.spkiDER, spki)
        assertThrowsCode("KEY_PASSPHRASE_REQUIRED", stage: .key) { _ = try PrivateKey.pem(text, passphrase: nil) }
        assertThrowsCode("KEY_BAD_PASSPHRASE", stage: .key) { _ = try PrivateKey.pem(text, passphrase: Array("nope".utf8)) }
    }

    func testGarbageIsBadPEM() throws {
        assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PrivateKey.pem("not a key", passphrase: nil) }
        assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PrivateKey.pem("", passphrase: nil) }
        assertThrowsCode("KEY_BAD_PEM", stage: .key) {
            _ = try PrivateKey.pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", passphrase: nil)
        }
        let publicPEM = try PrivateKey.generate(.es256).publicKey.pemText
        assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PrivateKey.pem(publicPEM, passphrase: nil) }
        assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PublicKey.pem("garbage") }
        assertThrowsCode("KEY_BAD_DER", stage: .key) { _ = try PublicKey.der([0x30, 0x00]) }
        let spki = try PrivateKey.generate(.es256).publicKey.spkiDER
        assertThrowsCode("KEY_BAD_DER", stage: .key) { _ = try PublicKey.der(spki + [0]) }
    }

    func testUnsupportedKeyCannotSign() throws {
        let pem = try runTool(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        assertThrowsCode("KEY_ALG_UNSUPPORTED", stage: .key) {
            _ = try PrivateKey.pem(String(decoding: pem, as: UTF8.self), passphrase: nil)
        }
    }

    /// Our signatures checked by the openssl tool: external truth for the signing side.
    func testOpenSSLToolVerifiesOurSignatures() throws {
        let messagePath = try temporaryFile(message, in: self)
        for algorithm in [SignatureAlgorithm.es256, .es384, .edDSA] {
            let key = try PrivateKey.generate(algorithm)
            let publicPath = try temporaryFile(Array(key.publicKey.pemText.utf8), in: self)
            let signature = try key.sign(message)
            let output: [UInt8]
            if algorithm == .edDSA {
                let signaturePath = try temporaryFile(signature, in: self)
                output = try runTool(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicPath, "-rawin",
                                  "-in", messagePath, "-sigfile", signaturePath])
            } else {
                let signaturePath = try temporaryFile(derSignature(raw: signature), in: self)
                output = try runTool(["openssl", "dgst", algorithm == .es256 ? "-sha256" : "-sha384",
                                  "-verify", publicPath, "-signature", signaturePath, messagePath])
            }
            XCTAssertTrue(String(decoding: output, as: UTF8.self).contains("Verified"), algorithm.name)
        }
    }

    func testPS256SignVerifyAndOpenSSLTool() throws {
        let pem = try runTool(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        let key = try PrivateKey.pem(String(decoding: pem, as: UTF8.self), passphrase: nil)
        XCTAssertEqual(key.algorithm, .ps256)
        XCTAssertEqual(key.publicKey.typeDescription, "RSA-2048")
        let signature = try key.sign(message)
        XCTAssertEqual(signature.count, 256)
        XCTAssertTrue(try key.publicKey.verify(signature, of: message, algorithm: .ps256))
        let messagePath = try temporaryFile(message, in: self)
        let output = try runTool(["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss",
                              "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256",
                              "-verify", try temporaryFile(Array(key.publicKey.pemText.utf8), in: self),
                              "-signature", try temporaryFile(signature, in: self), messagePath])
        XCTAssertTrue(String(decoding: output, as: UTF8.self).contains("Verified"))
        assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) { _ = try key.publicKey.verify(signature, of: message, algorithm: .es256) }
    }

    func testConcurrentSigningWithOneKey() throws {
        let key = try PrivateKey.generate(.es256)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            let text = Array("record \(index)".utf8)
            do {
                let signature = try key.sign(text)
                if try !key.publicKey.verify(signature, of: text, algorithm: .es256) { failures.add("\(index)") }
            } catch {
                failures.add("\(index): \(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
    }
}

/// Failures collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

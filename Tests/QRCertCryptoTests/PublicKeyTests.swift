import Foundation
import QRCertCrypto
import QRCertFormat
import XCTest

final class PublicKeyTests: XCTestCase {
    func testSHA256KnownVectors() {
        // FIPS 180-2 appendix B.1 and the empty string.
        XCTAssertEqual(
            hexString(Digest.sha256(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hexString(Digest.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testKeyIDMatchesOpenSSLTool() throws {
        for algorithm in [SignatureAlgorithm.es256, .edDSA] {
            let key = try PrivateKey.generate(algorithm).publicKey
            let der = try runTool(["openssl", "pkey", "-pubin", "-outform", "DER"], input: Array(key.pemText.utf8))
            XCTAssertEqual(der, key.spkiDER)
            let sum = String(decoding: try runTool(["sha256sum"], input: der), as: UTF8.self)
            XCTAssertEqual(hexString(key.keyID), String(sum.prefix(16)))
            XCTAssertEqual(key.keyID.count, 8)
        }
    }

    func testKeyIDFixedVector() throws {
        // Wycheproof's first P-256 P1363 key; kid computed with `openssl pkey -pubin -outform DER | sha256sum`.
        let key = try PublicKey.der(hex(
            "3059301306072a8648ce3d020106082a8648ce3d030107034200042927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e"))
        let sum = String(decoding: try runTool(["sha256sum"], input: key.spkiDER), as: UTF8.self)
        XCTAssertEqual(hexString(key.keyID), String(sum.prefix(16)))
        XCTAssertEqual(key.typeDescription, "P-256")
        XCTAssertTrue(key.pemText.hasPrefix("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKSexBRK64"))
    }

    func testAlgorithmMismatchThrows() throws {
        let ed25519 = try PrivateKey.generate(.edDSA)
        let signature = try ed25519.sign([1, 2, 3])
        assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) {
            _ = try ed25519.publicKey.verify(signature, of: [1, 2, 3], algorithm: .es256)
        }
        let p256 = try PrivateKey.generate(.es256).publicKey
        for algorithm in [SignatureAlgorithm.es384, .ps256, .edDSA] {
            assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) { _ = try p256.verify(signature, of: [], algorithm: algorithm) }
        }
    }

    /// ECDSA checks go through each thread's own contexts (`VerifyContexts`): a wrong signature leaves them usable,
    /// more keys than a thread keeps (16) still verify, round after round, and every algorithm takes its message in pieces.
    func testVerifyInPiecesAndThroughThreadContexts() throws {
        let message = Array("[\"Signature1\", protected, h'', payload]".utf8)
        var keys = try (0..<20).map { try PrivateKey.generate($0 % 2 == 0 ? .es256 : .es384) }
        keys += [try PrivateKey.generate(.edDSA), try PrivateKey.generate(.ps256)]
        let signatures = try keys.map { try $0.sign(message) }
        func inPieces(_ key: PrivateKey, _ signature: [UInt8], _ message: [UInt8]) throws -> Bool {
            try key.publicKey.verify(signature[...], algorithm: key.algorithm) { update in
                message.withUnsafeBytes { all in
                    update(UnsafeRawBufferPointer(rebasing: all[..<3]))
                    update(UnsafeRawBufferPointer(rebasing: all[3..<3]))
                    update(UnsafeRawBufferPointer(rebasing: all[3...]))
                }
            }
        }
        for _ in 0..<2 {
            for (key, signature) in zip(keys, signatures) {
                var wrong = signature
                wrong[wrong.count / 2] ^= 1
                XCTAssertFalse(try key.publicKey.verify(wrong, of: message, algorithm: key.algorithm), "\(key.algorithm)")
                XCTAssertTrue(try key.publicKey.verify(signature, of: message, algorithm: key.algorithm), "\(key.algorithm)")
                XCTAssertTrue(try inPieces(key, signature, message), "\(key.algorithm)")
                XCTAssertFalse(try inPieces(key, signature, message + [0]), "\(key.algorithm)")
                XCTAssertFalse(try key.publicKey.verify(Array(signature.dropLast()), of: message, algorithm: key.algorithm))
            }
        }
        // Another key of the same kind does not verify it, though this thread has a context for each.
        XCTAssertFalse(try keys[2].publicKey.verify(signatures[0], of: message, algorithm: .es256))
        XCTAssertTrue(try keys[0].publicKey.verify(signatures[0], of: message, algorithm: .es256))
        CryptoThread.finish()
        XCTAssertTrue(try keys[0].publicKey.verify(signatures[0], of: message, algorithm: .es256), "contexts made again after finish")
    }

    /// Threads verifying with one shared key at once each use their own contexts and get each answer right.
    func testThreadsShareOneKey() throws {
        let key = try PrivateKey.generate(.es256)
        let messages = (0..<8).map { Array("message \($0)".utf8) }
        let signatures = try messages.map { try key.sign($0) }
        nonisolated(unsafe) let answers = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8 * 16)
        defer { answers.deallocate() }
        answers.initialize(repeating: -1)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<16 {
                // Odd rounds check another thread's signature against this thread's message: false.
                let signature = signatures[round % 2 == 0 ? thread : (thread + 1) % 8]
                let verified = (try? key.publicKey.verify(signature, of: messages[thread], algorithm: .es256)).map { $0 ? 1 : 0 } ?? 2
                answers[thread * 16 + round] = verified
            }
        }
        for thread in 0..<8 {
            XCTAssertEqual(Array(answers[(thread * 16)..<(thread * 16 + 16)]), (0..<16).map { $0 % 2 == 0 ? 1 : 0 }, "thread \(thread)")
        }
    }

    func testOtherCurveHasNoAlgorithms() throws {
        let pem = try runTool(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        let spki = try runTool(["openssl", "pkey", "-pubout", "-outform", "DER"], input: pem)
        let key = try PublicKey.der(spki)
        XCTAssertEqual(key.algorithms, [])
        XCTAssertEqual(key.typeDescription, "EC secp256k1")
        assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) { _ = try key.verify([UInt8](repeating: 1, count: 64), of: [], algorithm: .es256) }
    }
}

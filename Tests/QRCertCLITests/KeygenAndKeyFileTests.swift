import Foundation
import XCTest

/// `qrcert keygen` and how `issue` treats key files: modes, no overwriting, the key id, encrypted keys.
final class KeygenAndKeyFileTests: XCTestCase {
    /// The kid by the openssl tool: SHA-256 over the SubjectPublicKeyInfo DER, first 8 bytes.
    private func opensslKeyID(_ publicKey: String) throws -> String {
        let result = try CLI.runProgram(URL(fileURLWithPath: "/bin/sh"),
                                        ["-c", "openssl pkey -pubin -in \"$0\" -outform DER | openssl dgst -sha256 -r", publicKey], stdin: nil)
        XCTAssertEqual(result.status, 0, result.stderr)
        return String(result.stdout.prefix(16))
    }

    func testKeygenWritesBothFilesWithTheirModesAndPrintsTheKid() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let previous = umask(0o022)
        defer { umask(previous) }
        for alg in ["es256", "ed25519"] {
            let prefix = folder.appendingPathComponent("keys/sub/danang-\(alg)").path  // parent folders are created
            let result = try CLI.run(["keygen", "--out", prefix, "--alg", alg])
            XCTAssertEqual(result.status, 0, result.stderr)
            let kid = try opensslKeyID(prefix + ".pub.pem")
            XCTAssertEqual(result.stdout, kid + "\n")
            XCTAssertEqual(result.errorLines, ["qrcert: wrote \(prefix).key.pem (private, \(alg == "es256" ? "ES256" : "EdDSA")) and \(prefix).pub.pem (public)"])
            XCTAssertEqual(CLI.mode(prefix + ".key.pem"), 0o600)
            XCTAssertEqual(CLI.mode(prefix + ".pub.pem"), 0o644)
            let key = try String(contentsOfFile: prefix + ".key.pem", encoding: .utf8)
            XCTAssertTrue(key.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), key)
            // The openssl tool reads the private key and agrees on its type.
            let text = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "pkey", "-in", prefix + ".key.pem", "-noout", "-text"], stdin: nil)
            XCTAssertEqual(text.status, 0)
            XCTAssertTrue(text.stdout.contains(alg == "es256" ? "NIST CURVE: P-256" : "ED25519 Private-Key"), text.stdout)
        }
    }

    func testKeygenDefaultsToES256() throws {
        let prefix = try CLI.temporaryDirectory(for: self).appendingPathComponent("k").path
        let result = try CLI.run(["keygen", "--out", prefix])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("(private, ES256)"), result.stderr)
    }

    func testKeygenNeverOverwrites() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let prefix = folder.appendingPathComponent("dn").path
        XCTAssertEqual(try CLI.run(["keygen", "--out", prefix]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: prefix + ".key.pem"))
        let again = try CLI.run(["keygen", "--out", prefix, "--alg", "ed25519"])
        XCTAssertEqual(again.status, 2)
        XCTAssertEqual(again.stdout, "")
        XCTAssertEqual(again.errorLines, ["qrcert: error: \(prefix).key.pem already exists; refusing to overwrite it [IO_EXISTS]"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: prefix + ".key.pem")), before)

        // Only the public half left from an earlier key: still refused, and no private key is made.
        let lonely = folder.appendingPathComponent("lonely").path
        FileManager.default.createFile(atPath: lonely + ".pub.pem", contents: Data("old".utf8))
        let refused = try CLI.run(["keygen", "--out", lonely])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.errorLines, ["qrcert: error: \(lonely).pub.pem already exists; refusing to overwrite it [IO_EXISTS]"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: lonely + ".key.pem"))
    }

    func testEncryptedKeygenAndIssuing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let secret = folder.appendingPathComponent("secret.txt").path
        try "mật khẩu dài\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let prefix = folder.appendingPathComponent("enc").path
        let made = try CLI.run(["keygen", "--out", prefix, "--passphrase-file", secret])
        XCTAssertEqual(made.status, 0, made.stderr)
        let pem = try String(contentsOfFile: prefix + ".key.pem", encoding: .utf8)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        // The openssl tool opens it with the passphrase (the file's first line, without its newline).
        let opened = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["openssl", "pkey", "-in", prefix + ".key.pem", "-passin", "file:\(secret)", "-noout"], stdin: nil)
        XCTAssertEqual(opened.status, 0, opened.stderr)

        let empty = folder.appendingPathComponent("empty.txt").path
        FileManager.default.createFile(atPath: empty, contents: Data("\n".utf8))
        let refused = try CLI.run(["keygen", "--out", folder.appendingPathComponent("e2").path, "--passphrase-file", empty])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.hasPrefix("qrcert: error: passphrase file \(empty) is empty"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("[KEY_PASSPHRASE_EMPTY]"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("e2.key.pem").path))
    }

    // MARK: - Key files given to issue

    private func issueOne(key: String, extra: [String] = [], in folder: URL) throws -> (CLI.Result, URL) {
        let out = folder.appendingPathComponent("out-\(UUID().uuidString)")
        let result = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                  "--out", out.path] + extra + [CLI.fixture("bad/missing-field.csv").path])
        return (result, out)
    }

    func testAKeyReadableByOthersIsRefused() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        for mode: mode_t in [0o644, 0o640, 0o604] {
            let key = try CLI.key("es256", in: folder, mode: mode)
            let (result, out) = try issueOne(key: key, in: folder)
            XCTAssertEqual(result.status, 2)
            XCTAssertEqual(result.errorLines, [
                "qrcert: error: private key \(key) is readable by others (mode \(String(mode, radix: 8))) [KEY_PERMISSIONS]",
                "qrcert: hint: run: chmod 600 \(key)",
            ])
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is written with a refused key")
        }
        // 0400 is as private as 0600.
        let readOnly = try CLI.key("es256", in: folder, mode: 0o400)
        XCTAssertEqual(try issueOne(key: readOnly, in: folder).0.status, 1)  // 1: the bad row of the input
    }

    func testEncryptedKeyNeedsItsPassphraseAndNeverPrompts() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("encrypted", in: folder)
        let passphrase = CLI.fixture("keys/TEST-ONLY-passphrase.txt").path

        let (good, out) = try issueOne(key: key, extra: ["--passphrase-file", passphrase], in: folder)
        XCTAssertEqual(good.status, 1, good.stderr)  // the fixture's bad row; the two good ones are issued
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.count, 2)
        let payload = try XCTUnwrap(manifest.first?["payload"] as? String)
        let verified = try CLI.run(["verify", "--trust", CLI.publicKey("encrypted"), "--at", "2025-01-01", payload])
        XCTAssertEqual(verified.status, 0, verified.stdout)

        // Without a passphrase: a clean error on stderr, exit 2, no prompt (stdin is not a terminal), nothing written.
        let (missing, none) = try issueOne(key: key, in: folder)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertEqual(missing.errorLines, [
            "qrcert: error: \(key): private key is encrypted and no passphrase was given [KEY_PASSPHRASE_REQUIRED]",
            "qrcert: hint: give it with --passphrase-file or --passphrase-env",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: none.path))

        // The wrong one.
        let wrong = folder.appendingPathComponent("wrong.txt").path
        try "not the passphrase\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let (bad, _) = try issueOne(key: key, extra: ["--passphrase-file", wrong], in: folder)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.errorLines.first, "qrcert: error: \(key): wrong passphrase for the private key [KEY_BAD_PASSPHRASE]")

        // From the environment.
        let env = try CLI.run(["issue", "--key", key, "--issuer", "X", "--profile", "driving-licence", "--format", "payload",
                               "--passphrase-env", "QRCERT_TEST_PASS", CLI.fixture("records/transport-permits.csv").path],
                              environment: ["QRCERT_TEST_PASS": "correct horse battery staple"])
        // Transport records under the licence profile: the key opened, then the header does not fit (checked after the key).
        XCTAssertEqual(env.status, 2)
        XCTAssertTrue(env.errorLines.first?.hasSuffix("[REC_UNKNOWN_COLUMN]") ?? false, env.stderr)
    }

    func testAPublicKeyGivenAsTheSigningKey() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let copy = folder.appendingPathComponent("pub.pem").path
        try FileManager.default.copyItem(atPath: CLI.publicKey("es256"), toPath: copy)
        XCTAssertEqual(chmod(copy, 0o600), 0)
        let (result, _) = try issueOne(key: copy, in: folder)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.errorLines, [
            "qrcert: error: \(copy): no private key found in PEM text [KEY_BAD_PEM]",
            "qrcert: hint: this is a public key or certificate; signing needs the private key",
        ])
    }

    func testAMissingKeyFile() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let (result, _) = try issueOne(key: folder.appendingPathComponent("nope.key.pem").path, in: folder)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.errorLines, ["qrcert: error: key file \(folder.appendingPathComponent("nope.key.pem").path) does not exist [IO_READ]"])
    }
}

extension CLI.Result {
    /// Exit status and stderr, for tests that only look at those.
    var pair: (Int32, String) { (status, stderr) }
}

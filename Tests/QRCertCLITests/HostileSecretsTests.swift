import Foundation
import XCTest

/// Secrets stay secret (docs/HOSTILE.md): no option takes a passphrase on the command line (it would show in
/// `ps`), nothing qrcert prints or writes contains a passphrase or private key material, and every command
/// that signs refuses a private key file that group or others can read.
final class HostileSecretsTests: XCTestCase {
    /// Every command and subcommand, as argv prefixes.
    static let commands: [[String]] = [
        ["keygen"], ["issue"], ["verify"], ["inspect"], ["profiles"],
        ["trust-list", "create"], ["trust-list", "add-key"], ["trust-list", "retire-key"], ["trust-list", "remove-key"],
        ["trust-list", "renew"], ["trust-list", "show"],
        ["revoke", "add"], ["revoke", "lift"], ["revoke", "renew"], ["revoke", "show"], ["revoke", "check"],
    ]

    func testNoOptionTakesASecretOnTheCommandLine() throws {
        var seen = Set<String>()
        for command in Self.commands {
            let help = try CLI.run(command + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command): \(help.stderr)")
            let options = Set(help.stdout.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
            XCTAssertFalse(options.isEmpty, "\(command)")
            for option in options where option.range(of: "passphrase|password|passwd|secret|pin", options: .regularExpression) != nil {
                // --no-passphrase (keygen) is a flag: it takes no value, so no secret.
                XCTAssertTrue(["--passphrase-file", "--passphrase-env", "--pin-file", "--pin-env", "--no-passphrase"].contains(option),
                              "\(command.joined(separator: " ")) has \(option)")
                seen.insert(option)
            }
        }
        XCTAssertEqual(seen, ["--passphrase-file", "--passphrase-env", "--pin-file", "--pin-env", "--no-passphrase"])
        XCTAssertTrue(try CLI.run(["keygen", "--help"]).stdout.contains("  --no-passphrase "), "--no-passphrase takes no value")
        // Nor a token PIN (a pkcs11: URI's pin-value is refused too: TokenSigningTests).
        let pin = try CLI.run(["issue", "--pin", "123456", "--key", "pkcs11:token=t;object=k", "--issuer", "X", "--profile", "driving-licence",
                               "--format", "payload"])
        XCTAssertEqual(pin.errorLines.first, "qrcert: error: Unknown option '--pin'. Did you mean '--key'? [USAGE]")

        let refused = try CLI.run(["issue", "--passphrase", "hunter2", "--key", "k.pem", "--issuer", "X", "--profile", "driving-licence",
                                  "--format", "payload"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.errorLines.first, "qrcert: error: Unknown option '--passphrase' [USAGE]")
    }

    /// An encrypted key made, used, and used wrongly: the passphrase and the key's PEM appear in no output and no file.
    func testPassphrasesAndPrivateKeysAreNeverPrintedNorWritten() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let secret = "tàu-hỏa Đà Nẵng 7731 secret"
        let passphraseFile = folder.appendingPathComponent("pass.txt")
        try Data((secret + "\n").utf8).write(to: passphraseFile)
        let environment = ["QRCERT_SECRET": secret]
        var outputs: [String] = []

        let prefix = folder.appendingPathComponent("issuer").path
        let keygen = try CLI.run(["keygen", "--out", prefix, "--passphrase-env", "QRCERT_SECRET"], environment: environment)
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        XCTAssertNotNil(keygen.stdout.range(of: #"^[0-9a-f]{16}\n$"#, options: .regularExpression), "keygen prints the kid only: \(keygen.stdout)")
        outputs += [keygen.stdout, keygen.stderr]
        let keyText = try String(contentsOfFile: prefix + ".key.pem", encoding: .utf8)
        XCTAssertTrue(keyText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), "the key is stored encrypted")
        XCTAssertEqual(CLI.mode(prefix + ".key.pem"), 0o600)

        let records = CLI.fixture("records/driving-licences.csv").path
        let out = folder.appendingPathComponent("out")
        let issue = try CLI.run(["issue", "--key", prefix + ".key.pem", "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                 "--passphrase-file", passphraseFile.path, "--out", out.path, records])
        XCTAssertEqual(issue.status, 0, issue.stderr)
        outputs += [issue.stdout, issue.stderr]
        let payload = try XCTUnwrap(try CLI.jsonObject(try Batch.manifestLines(out)[0])["payload"] as? String)

        for wrong in ["not it", secret + "x"] {
            let bad = try CLI.run(["issue", "--key", prefix + ".key.pem", "--issuer", "X", "--profile", "driving-licence",
                                   "--passphrase-env", "QRCERT_SECRET", "--format", "payload", records],
                                  environment: ["QRCERT_SECRET": wrong])
            XCTAssertEqual(bad.status, 2)
            XCTAssertEqual(bad.errorLines, ["qrcert: error: \(prefix).key.pem: wrong passphrase for the private key [KEY_BAD_PASSPHRASE]"])
            XCTAssertFalse(bad.stderr.contains(wrong))
        }

        // A private key offered as a trust anchor is refused without echoing it.
        for command in [["verify", "--trust", prefix + ".key.pem", payload], ["verify", "--json", "--trust", prefix + ".key.pem", payload]] {
            let result = try CLI.run(command)
            XCTAssertEqual(result.status, 2, "\(command): \(result.stdout) \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("[TRUST_PRIVATE_KEY]"), result.stderr)
            outputs += [result.stdout, result.stderr]
        }
        let plain = try String(contentsOf: CLI.fixture("keys/TEST-ONLY-es256.key.pem"), encoding: .utf8)
        let plainBody = plain.split(separator: "\n")[1]
        let verify = try CLI.run(["verify", "--trust", CLI.fixture("keys/TEST-ONLY-es256.key.pem").path, payload])
        XCTAssertTrue(verify.stderr.contains("[TRUST_PRIVATE_KEY]"), verify.stderr)
        outputs += [verify.stdout, verify.stderr]

        let keyBody = keyText.split(separator: "\n")[1]
        var written = outputs
        for name in try Batch.files(out) where !name.hasSuffix(".png") {
            written.append(try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8))
        }
        for text in written {
            XCTAssertFalse(text.contains(secret), "the passphrase leaked: \(text.prefix(300))")
            XCTAssertFalse(text.contains(String(keyBody)) || text.contains(String(plainBody)), "key material leaked: \(text.prefix(300))")
            XCTAssertFalse(text.contains("PRIVATE KEY-----"), "a PEM block was printed: \(text.prefix(300))")
        }
    }

    /// Every command that loads a private key refuses one that group or others can read, before writing anything.
    func testEveryCommandThatSignsRefusesAKeyOthersCanRead() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("made")
        for mode: mode_t in [0o644, 0o640, 0o604, 0o660, 0o444, 0o606] {
            let key = try CLI.key("es256", in: folder, mode: mode)
            let link = folder.appendingPathComponent("link-\(String(mode, radix: 8)).pem").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: key)
            for (path, shown) in [(key, key), (link, link)] {
                for command in [
                    ["issue", "--key", path, "--issuer", "X", "--profile", "driving-licence", "--out", out.path,
                     CLI.fixture("records/driving-licences.csv").path],
                    ["trust-list", "create", "--root-key", path, "--authority", "Bộ GTVT", "--environment", "test", "--out", out.path],
                    ["revoke", "add", "--list", out.path, "--key", path, "--status", "revoked", "--reason", "test", "--issuer", "X",
                     "--cti", "0011223344556677"],
                ] {
                    let result = try CLI.run(command)
                    XCTAssertEqual(result.status, 2, "\(command)")
                    XCTAssertEqual(result.errorLines, [
                        "qrcert: error: private key \(shown) is readable by others (mode \(String(mode, radix: 8))) [KEY_PERMISSIONS]",
                        "qrcert: hint: run: chmod 600 \(shown)",
                    ], "\(command)")
                    XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(command) wrote something")
                }
            }
            try FileManager.default.removeItem(atPath: link)
            try FileManager.default.removeItem(atPath: key)
        }
        // 0600 and 0400 are private.
        for mode: mode_t in [0o600, 0o400] {
            let key = try CLI.key("es256", in: folder, mode: mode)
            let result = try CLI.run(["issue", "--key", key, "--issuer", "X", "--profile", "driving-licence", "--format", "payload",
                                      CLI.fixture("records/driving-licences.csv").path])
            XCTAssertEqual(result.status, 0, result.stderr)
            try FileManager.default.removeItem(atPath: key)
        }
    }
}

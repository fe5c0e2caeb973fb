import Foundation
import XCTest

/// A SoftHSM2 token made by the tests in a temporary folder (its own `SOFTHSM2_CONF`), with keys made by
/// `pkcs11-tool` (OpenSC) and public keys read back with `pkcs11-tool` and `openssl`: the external truth the
/// token tests compare qrcert against. Nothing outside the folder is touched.
final class SoftHSMToken {
    /// Debian's SoftHSM2 module (package softhsm2, installed by scripts/setup).
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    /// The user PIN (TEST-ONLY).
    static let pin = "123456"

    let folder: URL
    let label: String
    /// `SOFTHSM2_CONF` for every process that must see the token.
    var environment: [String: String] { ["SOFTHSM2_CONF": folder.appendingPathComponent("softhsm2.conf").path] }
    /// A file holding the PIN, for --pin-file.
    var pinFile: String { folder.appendingPathComponent("pin").path }

    /// Initialises a token labelled `label` in a new folder under `parent`.
    init(label: String = "qrcert-test", in parent: URL) throws {
        folder = parent.appendingPathComponent("softhsm-\(label)")
        self.label = label
        let tokens = folder.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: folder.appendingPathComponent("softhsm2.conf"), atomically: true, encoding: .utf8)
        try (Self.pin + "\n").write(toFile: pinFile, atomically: true, encoding: .utf8)
        try run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", "87654321", "--pin", Self.pin])
    }

    /// `pkcs11:token=LABEL;object=OBJECT`.
    func uri(_ object: String) -> String { "pkcs11:token=\(label);object=\(object)" }

    /// Makes a key pair with pkcs11-tool: `type` as pkcs11-tool spells it (EC:prime256v1, EC:edwards25519, EC:secp384r1).
    func makeKeyPair(_ type: String, label object: String, id: String) throws {
        try tool(["--keypairgen", "--key-type", type, "--label", object, "--id", id])
    }

    /// The EC public key `object` as PEM, read from the token by pkcs11-tool (SPKI DER) and converted by openssl.
    func publicKeyPEM(_ object: String) throws -> String {
        let der = folder.appendingPathComponent("\(object).pub.der").path, pem = folder.appendingPathComponent("\(object).pub.pem").path
        try tool(["--read-object", "--type", "pubkey", "--label", object, "--output-file", der], login: false)
        try run("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", der, "-out", pem])
        return pem
    }

    /// The Ed25519 public key `object` as PEM: the 32-byte CKA_EC_POINT that `pkcs11-tool --list-objects`
    /// prints, under the fixed RFC 8410 SubjectPublicKeyInfo prefix, checked by openssl.
    func ed25519PublicKeyPEM(_ object: String) throws -> String {
        let listing = try tool(["--list-objects", "--type", "pubkey", "--label", object], login: false).stdout
        let point = try XCTUnwrap(listing.firstMatch(of: /EC_POINT:\s+0420([0-9a-f]{64})/)?.1, listing)
        let der = folder.appendingPathComponent("\(object).pub.der"), pem = folder.appendingPathComponent("\(object).pub.pem").path
        try Data(hex: "302a300506032b6570032100" + point).write(to: der)
        try run("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", der.path, "-out", pem])
        return pem
    }

    /// The kid of a public key file as openssl computes it: first 8 bytes of SHA-256 over the SPKI DER.
    static func keyID(ofPublicKey pem: String) throws -> String {
        // Beside the test's own files, never beside a committed fixture.
        let der = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-spki-\(UUID().uuidString).der").path
        defer { unlink(der) }
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "pkey", "-pubin", "-in", pem, "-outform", "DER", "-out", der], stdin: nil)
            .expectSuccess()
        let digest = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "dgst", "-sha256", "-r", der], stdin: nil)
        return String(try digest.expectSuccess().stdout.prefix(16))
    }

    /// Runs pkcs11-tool on this token (logged in unless `login` is false).
    @discardableResult
    func tool(_ arguments: [String], login: Bool = true) throws -> CLI.Result {
        try run("pkcs11-tool", ["--module", Self.module, "--token-label", label] + (login ? ["--login", "--pin", Self.pin] : []) + arguments)
    }

    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, stdin: nil, environment: environment).expectSuccess()
    }

    /// `Fixtures/pkcs11/failing-module.c` built into `folder` with the Swift toolchain's clang (a fresh machine may have no cc):
    /// SoftHSM2 behind a shim that can fail on cue.
    static func failingModule(in folder: URL) throws -> String {
        let library = folder.appendingPathComponent("failing-module.so").path
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                           ["clang", "-shared", "-fPIC", "-o", library, CLI.fixture("pkcs11/failing-module.c").path, "-ldl"], stdin: nil)
            .expectSuccess()
        return library
    }
}

extension CLI.Result {
    /// Self, after failing the test unless the program exited 0.
    @discardableResult
    func expectSuccess(file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        XCTAssertEqual(status, 0, stderr, file: file, line: line)
        return self
    }
}

extension Data {
    /// Bytes from hex digits (test input only: traps on anything else).
    init(hex: Substring) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }

    init(hex: String) { self.init(hex: Substring(hex)) }
}

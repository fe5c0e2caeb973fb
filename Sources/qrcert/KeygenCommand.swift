import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat

/// `qrcert keygen`: a new signing key pair.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a signing key pair: PATH.key.pem (mode 0600) and PATH.pub.pem.",
        discussion: """
        Never overwrites: both files are created exclusively. Prints the key id (kid), the first 8 bytes of SHA-256 over the public key's SubjectPublicKeyInfo, in hex.

        On a terminal, with no passphrase option, keygen asks for a passphrase twice (as ssh-keygen and minisign do); an empty answer leaves the key unencrypted, with a warning. Scripts pass --passphrase-file, --passphrase-env or --no-passphrase.

        Examples:
          qrcert keygen --out keys/danang-csgt
          qrcert keygen --out keys/danang-csgt --alg ed25519 \\
              --passphrase-file secret.txt
          qrcert keygen --out keys/test-demo --no-passphrase
          qrcert keygen --pkcs11 'pkcs11:token=CSGT%20Da%20Nang;object=dl-2026' \\
              --pkcs11-module /usr/lib/softhsm/libsofthsm2.so \\
              --pin-file /run/qrcert/pin --out keys/dl-2026

        With --pkcs11 the key pair is made inside the token (C_GenerateKeyPair; the private key is never extractable) and its CKA_ID is set to the kid; --out then writes only PATH.pub.pem.
        """
    )

    @Option(help: "Path prefix of the two files to write (with --pkcs11: of the public key file only).")
    var out: String?

    @Option(name: .customLong("pkcs11"), help: ArgumentHelp("Make the key pair in a PKCS#11 token instead: the new key's URI, with its label as object=.", valueName: "uri"))
    var pkcs11: String?

    @Option(help: "Algorithm: es256 (ECDSA P-256, default) or ed25519.")
    var alg: KeyAlgorithm = .es256

    @OptionGroup var passphrase: PassphraseOptions

    @Flag(name: .customLong("no-passphrase"), help: "Write the private key unencrypted, without asking (for scripts and tests).")
    var noPassphrase = false

    func validate() throws {
        if pkcs11 == nil && out == nil { throw ValidationError("give --out PATH (or --pkcs11 URI to make the key in a token)") }
        if noPassphrase && (passphrase.passphraseFile != nil || passphrase.passphraseEnv != nil) {
            throw ValidationError("--no-passphrase contradicts --passphrase-file and --passphrase-env")
        }
    }

    func run() throws {
        if let pkcs11 { return try runInToken(pkcs11) }
        guard let out else { return }
        let keyPath = out + ".key.pem", publicPath = out + ".pub.pem"
        // Not NSString.deletingLastPathComponent: it traps on a bare name such as `--out k` (swift-corelibs-foundation).
        let directory = out.lastIndex(of: "/").map { String(out[..<$0]) } ?? ""
        if !directory.isEmpty { try Files.makeDirectory(directory) }
        for path in [keyPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw QRCertError(.io, "IO_EXISTS", "\(path) already exists; refusing to overwrite it")
        }
        let key = try PrivateKey.generate(alg.signatureAlgorithm)
        let pem = try key.pemText(passphrase: try chosenPassphrase(for: keyPath))
        try Files.createExclusive(keyPath, bytes: Array(pem.utf8), mode: 0o600)
        do {
            try Files.createExclusive(publicPath, bytes: Array(key.publicKey.pemText.utf8), mode: 0o644)
        } catch {
            unlink(keyPath)
            throw error
        }
        Console.line(Hex.encode(key.publicKey.keyID))
        Console.diagnostic("qrcert: wrote \(keyPath) (private, \(alg.signatureAlgorithm.name)) and \(publicPath) (public)")
    }

    /// keygen --pkcs11: the pair is made in the token; only the public key can be written out.
    private func runInToken(_ uri: String) throws {
        let publicPath = out.map { $0 + ".pub.pem" }
        if let publicPath, FileManager.default.fileExists(atPath: publicPath) {
            throw QRCertError(.io, "IO_EXISTS", "\(publicPath) already exists; refusing to overwrite it")
        }
        let key = try passphrase.token.generate(uri, algorithm: alg.signatureAlgorithm)
        if let out, let publicPath {
            let directory = out.lastIndex(of: "/").map { String(out[..<$0]) } ?? ""
            if !directory.isEmpty { try Files.makeDirectory(directory) }
            try Files.createExclusive(publicPath, bytes: Array(key.publicKey.pemText.utf8), mode: 0o644)
        }
        Console.line(Hex.encode(key.publicKey.keyID))
        Console.diagnostic("qrcert: made \(key.name) in the token (private, \(key.algorithm.name), not extractable)"
                           + (publicPath.map { "; wrote \($0) (public)" } ?? ""))
    }
}

extension KeygenCommand {
    /// The passphrase option's, or none with --no-passphrase; on a terminal without either, asked twice.
    /// An empty answer means unencrypted, said in a warning. Off a terminal without an option: unencrypted
    /// (a script that wants that says --no-passphrase).
    func chosenPassphrase(for keyPath: String) throws(QRCertError) -> [UInt8]? {
        if noPassphrase { return nil }
        if let given = try passphrase.passphrase() { return given }
        guard Console.stdinIsTerminal && Console.stderrIsTerminal else { return nil }
        guard let first = getpass("Passphrase for \(keyPath) (empty for none): ").map({ Array(String(cString: $0).utf8) }) else {
            throw QRCertError(.io, "IO_READ", "cannot read a passphrase from the terminal")
        }
        if first.isEmpty {
            Console.warn("\(keyPath) is not encrypted: anyone who copies the file can sign with it")
            return nil
        }
        let second = getpass("Same passphrase again: ").map { Array(String(cString: $0).utf8) }
        guard second == first else {
            throw QRCertError(.key, "KEY_PASSPHRASE_MISMATCH", "the two passphrases differ; no key written", hint: "run keygen again")
        }
        return first
    }
}

/// Algorithms `keygen` makes keys for.
enum KeyAlgorithm: String, ExpressibleByArgument, CaseIterable {
    case es256, ed25519

    var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .es256: return .es256
        case .ed25519: return .edDSA
        }
    }
}

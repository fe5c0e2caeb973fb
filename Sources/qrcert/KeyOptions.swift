import ArgumentParser
import Foundation
import QRCertCrypto
import QRCertFormat
import QRCertIO

/// Where a passphrase comes from: never argv (it would show in `ps`).
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-file"), help: "Read the key passphrase from this file (first line).")
    var passphraseFile: String?

    @Option(name: .customLong("passphrase-env"), help: "Read the key passphrase from this environment variable.")
    var passphraseEnv: String?

    /// The passphrase, if one was given; nil means none.
    func passphrase() throws(QRCertError) -> [UInt8]? {
        if let passphraseFile {
            var bytes = try Files.read(passphraseFile, what: "passphrase file")
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard !bytes.isEmpty else { throw QRCertError(.key, "KEY_PASSPHRASE_EMPTY", "passphrase file \(passphraseFile) is empty") }
            return bytes
        }
        if let passphraseEnv {
            guard let value = ProcessInfo.processInfo.environment[passphraseEnv], !value.isEmpty else {
                throw QRCertError(.key, "KEY_PASSPHRASE_EMPTY", "environment variable \(passphraseEnv) is empty or unset")
            }
            return Array(value.utf8)
        }
        return nil
    }

    @OptionGroup var token: TokenOptions

    /// The signing key `path` names: a `pkcs11:` URI (RFC 7512) of a key in a token, or a private key file.
    func loadSigner(_ path: String) throws(QRCertError) -> any Signer {
        if PKCS11URI.isURI(path) { return try token.open(path) }
        return try loadPrivateKey(path)
    }

    /// Loads a private key file: refuses loose permissions; asks on the terminal when the key is encrypted and no passphrase was given.
    func loadPrivateKey(_ path: String) throws(QRCertError) -> PrivateKey {
        try Files.checkPrivateKeyMode(path)
        guard let text = String(validating: try Files.read(path, what: "key file"), as: UTF8.self) else {
            throw QRCertError(.key, "KEY_BAD_PEM", "\(path) is not a PEM key file")
        }
        do {
            return try PrivateKey.pem(text, passphrase: try passphrase())
        } catch where error.code == "KEY_PASSPHRASE_REQUIRED" && Console.stdinIsTerminal && Console.stderrIsTerminal {
            guard let typed = getpass("Passphrase for \(path): ") else { throw error }
            do {
                return try PrivateKey.pem(text, passphrase: Array(String(cString: typed).utf8))
            } catch {
                throw error.located(path)
            }
        } catch {
            throw QRCertError(error.stage, error.code, "\(path): \(error.message)",
                              hint: error.code == "KEY_PASSPHRASE_REQUIRED" ? "give it with --passphrase-file or --passphrase-env" : error.hint)
        }
    }
}

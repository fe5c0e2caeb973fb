import ArgumentParser
import Foundation
import QRCertCrypto
import QRCertFormat
import QRCertIO

/// How a key in a PKCS#11 token is reached: the module, and where the PIN comes from (never argv: it would show in `ps`).
struct TokenOptions: ParsableArguments {
    @Option(name: .customLong("pkcs11-module"), help: ArgumentHelp(
        "PKCS#11 module of the token, for a pkcs11: --key (overrides the URI's module-path).", valueName: "path"))
    var module: String?

    @Option(name: .customLong("pin-file"), help: ArgumentHelp("Read the token PIN from this file (first line).", valueName: "file"))
    var pinFile: String?

    @Option(name: .customLong("pin-env"), help: ArgumentHelp("Read the token PIN from this environment variable.", valueName: "name"))
    var pinEnv: String?

    /// The token as these options reach it.
    var access: TokenAccess { TokenAccess(module: module, pinFile: pinFile, pinEnv: pinEnv) }

    /// The token key `text` names; asks for the PIN on the terminal when the token needs one and none was given.
    func open(_ text: String) throws(QRCertError) -> TokenKey { try access.open(text, ask: Self.prompt) }

    /// Makes a key pair in the token `text` names (keygen --pkcs11).
    func generate(_ text: String, algorithm: SignatureAlgorithm) throws(QRCertError) -> TokenKey {
        try access.generate(text, algorithm: algorithm, ask: Self.prompt)
    }

    /// The PIN typed at a terminal, when stdin and stderr are one.
    private static var prompt: ((PKCS11URI) -> [UInt8]?)? {
        guard Console.stdinIsTerminal && Console.stderrIsTerminal else { return nil }
        return { uri in getpass("PIN for \(uri.token.map { "token \($0)" } ?? "the token"): ").map { Array(String(cString: $0).utf8) } }
    }
}

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

    /// The PIN from --pin-file, --pin-env or the URI's pin-source, in that order; nil when none is given.
    func pin(for uri: PKCS11URI) throws(QRCertError) -> [UInt8]? {
        if let pinFile { return try Self.read(pinFile) }
        if let pinEnv {
            guard let value = ProcessInfo.processInfo.environment[pinEnv], !value.isEmpty else {
                throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "environment variable \(pinEnv) is empty or unset")
            }
            return Array(value.utf8)
        }
        if let source = uri.pinSource {
            return try Self.read(source.hasPrefix("file:") ? String(source.dropFirst(5)) : source)
        }
        return nil
    }

    /// The token key `text` names; asks for the PIN on the terminal when the token needs one and none was given.
    func open(_ text: String) throws(QRCertError) -> TokenKey {
        let uri = try PKCS11URI(parsing: text)
        do {
            return try TokenKey.open(uri, modulePath: module, pin: try pin(for: uri))
        } catch where error.code == "PKCS11_PIN_REQUIRED" && Console.stdinIsTerminal && Console.stderrIsTerminal {
            return try TokenKey.open(uri, modulePath: module, pin: try prompt(uri))
        }
    }

    /// Makes a key pair in the token `text` names (keygen --pkcs11).
    func generate(_ text: String, algorithm: SignatureAlgorithm) throws(QRCertError) -> TokenKey {
        let uri = try PKCS11URI(parsing: text)
        do {
            return try TokenKey.generate(uri, modulePath: module, pin: try pin(for: uri), algorithm: algorithm)
        } catch where error.code == "PKCS11_PIN_REQUIRED" && Console.stdinIsTerminal && Console.stderrIsTerminal {
            return try TokenKey.generate(uri, modulePath: module, pin: try prompt(uri), algorithm: algorithm)
        }
    }

    private func prompt(_ uri: PKCS11URI) throws(QRCertError) -> [UInt8] {
        guard let typed = getpass("PIN for \(uri.token.map { "token \($0)" } ?? "the token"): "), typed.pointee != 0 else {
            throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "no PIN was typed")
        }
        return Array(String(cString: typed).utf8)
    }

    private static func read(_ path: String) throws(QRCertError) -> [UInt8] {
        var bytes = try Files.read(path, what: "PIN file")
        if let newline = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) { bytes.removeSubrange(newline...) }
        guard !bytes.isEmpty else { throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "PIN file \(path) is empty") }
        return bytes
    }
}

import Foundation
import QRCertCrypto
import QRCertFormat

/// How a key in a PKCS#11 token is reached: the module (`--pkcs11-module`, else the URI's module-path) and where
/// the PIN comes from (`--pin-file`, `--pin-env`, the URI's pin-source; never argv, where `ps` would show it).
public struct TokenAccess: Sendable {
    /// The module to load instead of the URI's module-path.
    public var module: String?
    /// A file whose first line is the PIN.
    public var pinFile: String?
    /// An environment variable holding the PIN.
    public var pinEnv: String?

    /// Access through `module`, with the PIN from `pinFile` or `pinEnv`.
    public init(module: String? = nil, pinFile: String? = nil, pinEnv: String? = nil) {
        self.module = module
        self.pinFile = pinFile
        self.pinEnv = pinEnv
    }

    /// The PIN from the PIN file, the variable or the URI's pin-source, in that order; nil when none is given.
    public func pin(for uri: PKCS11URI) throws(QRCertError) -> [UInt8]? {
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

    /// The token key `text` names. When the token needs a PIN and none was given, `ask` is asked for one (a
    /// prompt on a terminal; nil `ask` leaves `PKCS11_PIN_REQUIRED`).
    public func open(_ text: String, ask: ((PKCS11URI) -> [UInt8]?)?) throws(QRCertError) -> TokenKey {
        let uri = try PKCS11URI(parsing: text)
        do throws(QRCertError) {
            return try TokenKey.open(uri, modulePath: module, pin: try pin(for: uri))
        } catch where error.code == "PKCS11_PIN_REQUIRED" && ask != nil {
            return try TokenKey.open(uri, modulePath: module, pin: try Self.typed(ask?(uri)))
        }
    }

    /// Makes a key pair in the token `text` names (`keygen --pkcs11`); the PIN as for `open`.
    public func generate(_ text: String, algorithm: SignatureAlgorithm, ask: ((PKCS11URI) -> [UInt8]?)?) throws(QRCertError) -> TokenKey {
        let uri = try PKCS11URI(parsing: text)
        do throws(QRCertError) {
            return try TokenKey.generate(uri, modulePath: module, pin: try pin(for: uri), algorithm: algorithm)
        } catch where error.code == "PKCS11_PIN_REQUIRED" && ask != nil {
            return try TokenKey.generate(uri, modulePath: module, pin: try Self.typed(ask?(uri)), algorithm: algorithm)
        }
    }

    /// A typed PIN, or `PKCS11_PIN_REQUIRED` when none was.
    private static func typed(_ pin: [UInt8]?) throws(QRCertError) -> [UInt8] {
        guard let pin, !pin.isEmpty else { throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "no PIN was typed") }
        return pin
    }

    private static func read(_ path: String) throws(QRCertError) -> [UInt8] {
        var bytes = try Files.read(path, what: "PIN file")
        if let newline = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) { bytes.removeSubrange(newline...) }
        guard !bytes.isEmpty else { throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "PIN file \(path) is empty") }
        return bytes
    }
}

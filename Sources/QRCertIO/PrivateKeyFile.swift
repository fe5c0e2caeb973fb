import QRCertCrypto
import QRCertFormat

/// A private key file given to `issue --key`, `trust-list --root-key` or `revoke --key`.
public enum PrivateKeyFile {
    /// Loads the PEM key at `path`: a file that group or others may read is refused (`KEY_PERMISSIONS`), an
    /// encrypted key is opened with `passphrase()` (nil: none given) or else with what `ask` returns (a prompt
    /// on a terminal; nil `ask`, or nil from it, leaves `KEY_PASSPHRASE_REQUIRED`). Errors name the file.
    public static func load(_ path: String, passphrase: () throws(QRCertError) -> [UInt8]?,
                            ask: (() -> [UInt8]?)?) throws(QRCertError) -> PrivateKey {
        try Files.checkPrivateKeyMode(path)
        guard let text = String(validating: try Files.read(path, what: "key file"), as: UTF8.self) else {
            throw QRCertError(.key, "KEY_BAD_PEM", "\(path) is not a PEM key file")
        }
        do throws(QRCertError) {
            return try PrivateKey.pem(text, passphrase: try passphrase())
        } catch where error.code == "KEY_PASSPHRASE_REQUIRED" && ask != nil {
            guard let typed = ask?() else { throw error }
            do throws(QRCertError) {
                return try PrivateKey.pem(text, passphrase: typed)
            } catch {
                throw error.located(path)
            }
        } catch {
            throw QRCertError(error.stage, error.code, "\(path): \(error.message)",
                              hint: error.code == "KEY_PASSPHRASE_REQUIRED" ? "give it with --passphrase-file or --passphrase-env" : error.hint)
        }
    }
}

import QRCertCrypto
import QRCertFormat

/// A public key file given to a verifier or a list command (`--root`, `--previous-key`).
public enum PublicKeyFile {
    /// One PEM public key (a private key file is refused: a verifier never holds the root's private key).
    public static func read(_ path: String, what: String) throws(QRCertError) -> PublicKey {
        guard let text = String(validating: try Files.read(path, what: what), as: UTF8.self) else {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(what) \(path) is not a PEM file")
        }
        if text.contains("PRIVATE KEY-----") {
            throw QRCertError(.trust, "TRUST_PRIVATE_KEY", "\(path) holds a private key; \(what) must be the public key",
                              hint: "pass the .pub.pem file written by keygen")
        }
        do throws(QRCertError) {
            return try PublicKey.pem(text)
        } catch {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(what) \(path): \(error.message)")
        }
    }
}

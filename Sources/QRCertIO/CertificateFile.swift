import QRCertCrypto
import QRCertFormat

/// A signer certificate file given to `issue --cert`.
public enum CertificateFile {
    /// The one signer certificate in `path` (PEM or DER); a PEM file with more than one is `CERT_BAD_PEM`.
    public static func read(_ path: String) throws(QRCertError) -> Certificate {
        let bytes = try Files.read(path, what: "certificate file")
        do throws(QRCertError) {
            if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN ") {
                let found = try Certificate.all(pem: text)
                guard found.count == 1 else {
                    throw QRCertError(.trust, "CERT_BAD_PEM", "holds \(found.count) certificates; --cert takes the signer's one",
                                      hint: "a CA certificate goes to verifiers (verify --trust-ca), not to issue")
                }
                return found[0]
            }
            return try Certificate.der(bytes)
        } catch {
            throw error.located(path)
        }
    }
}

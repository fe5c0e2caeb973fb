import QRCertCrypto
import QRCertFormat

extension TrustStore {
    /// Adds a CA certificate signer certificates may chain to; one that is not a CA (no basicConstraints
    /// cA=TRUE) is refused: TRUST_CA_NOT_CA.
    public mutating func add(authority certificate: Certificate, source: String) throws(QRCertError) {
        guard CertificateChain.isCA(certificate) else {
            throw QRCertError(.trust, "TRUST_CA_NOT_CA", "\(source): \(certificate.subject) is not a CA certificate (no basicConstraints cA=TRUE)",
                              hint: "--trust-ca takes the CSCA; a document signer certificate goes to --trust")
        }
        authorities.append(CertificateAuthority(certificate: certificate, source: source))
    }

    /// Adds every CA certificate of a `--trust-ca` file: PEM with one or more certificates, or one DER certificate.
    public mutating func add(authorityFileBytes bytes: [UInt8], source: String) throws(QRCertError) {
        let certificates: [Certificate]
        do throws(QRCertError) {
            if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN ") {
                certificates = try Certificate.all(pem: text)
            } else {
                certificates = [try Certificate.der(bytes)]
            }
        } catch {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(source): \(error.message)")
        }
        for certificate in certificates { try add(authority: certificate, source: source) }
    }

    /// The signer certificate a payload carries in its unprotected x5chain (RFC 9360 §2: one DER certificate,
    /// or an array of them, signer first), as a candidate for `keyID`; nil when no CA is trusted (the header is
    /// then not read at all), when there is no x5chain, or when its first certificate is not the one `keyID`
    /// names. The candidate is not trusted yet: `CertificateChainPolicy` decides once the claims are read.
    func payloadSigner(_ x5chain: CBOR?, keyID: [UInt8]) throws(QRCertError) -> TrustAnchor? {
        guard !authorities.isEmpty, let x5chain else { return nil }
        let items: [CBOR]
        switch x5chain {
        case .bytes: items = [x5chain]
        case .array(let array) where !array.isEmpty && array.count <= 8: items = array
        default:
            throw QRCertError(.cose, "COSE_BAD_X5CHAIN", "x5chain (label 33) must be a DER certificate or an array of 1 to 8 of them")
        }
        var certificates: [Certificate] = []
        for (index, item) in items.enumerated() {
            guard case .bytes(let der) = item else {
                throw QRCertError(.cose, "COSE_BAD_X5CHAIN", "x5chain entry \(index + 1) is not a byte string")
            }
            do throws(QRCertError) {
                certificates.append(try Certificate.der(der))
            } catch {
                throw QRCertError(.cose, "COSE_BAD_X5CHAIN", "x5chain entry \(index + 1): \(error.message)")
            }
        }
        guard certificates[0].keyID == keyID else { return nil }
        var anchor = TrustAnchor(keyID: keyID, key: certificates[0].publicKey, certificate: certificates[0], source: "x5chain in the payload")
        anchor.fromPayload = true
        anchor.intermediates = Array(certificates.dropFirst())
        return resolved(anchor)
    }
}

import QRCertCrypto
import QRCertFormat

/// Step 8a of docs/FORMAT.md §5: a signer certificate that is not trusted as itself is a key only if it
/// chains to a trusted CA. That is every certificate from the payload's x5chain, and, when CAs are trusted
/// (`verify --trust-ca`), every certificate given with `--trust`; trust-list entries were vetted by the
/// list's root. The path is validated offline at the credential's `iat` (the verification time when there is
/// none): signatures, validity, basicConstraints and keyCertSign on each CA, cA=FALSE and digitalSignature
/// on the signer. A failure stops verification like an unknown key: nothing the payload says is shown.
public enum CertificateChainPolicy {
    /// Step number in docs/FORMAT.md §5 (8a: after the claims are decoded, before the policies).
    public static let step = "8a"

    /// Whether `signer` needs a path to one of `authorities`.
    public static func applies(to signer: TrustAnchor, authorities: [CertificateAuthority]) -> Bool {
        guard signer.certificate != nil, !signer.fromTrustList else { return false }
        return signer.fromPayload || !authorities.isEmpty
    }

    /// The signer, now naming the CA it chains to; throws the chain's failure (stage .key, CHAIN_*).
    public static func check(_ signer: TrustAnchor, claims: CWTClaims, time: Int64,
                             authorities: [CertificateAuthority]) throws(QRCertError) -> TrustAnchor {
        guard applies(to: signer, authorities: authorities), let certificate = signer.certificate else { return signer }
        guard !authorities.isEmpty else {
            throw QRCertError(.key, "CHAIN_UNTRUSTED", "signer certificate \(certificate.subject) does not chain to a trusted CA",
                              hint: "pass the CSCA that issued it with --trust-ca")
        }
        let at = claims.issuedAt ?? time
        let when = claims.issuedAt == nil ? "at \(Timestamp.iso(at)), the verification time (no iat)" : "at \(Timestamp.iso(at)), when the credential was issued"
        switch CertificateChain.validate(certificate, intermediates: signer.intermediates, anchors: authorities.map(\.certificate),
                                         at: at, when: when) {
        case .failure(let error):
            throw error
        case .success(let index):
            let authority = authorities[index]
            // A CA the trust list removed takes every signer under it along (removal always wins).
            if let listing = authority.listing, case .removed(let at, let reason) = listing.status {
                throw QRCertError(.key, "KEY_COMPROMISED",
                                  "signer certificate \(certificate.subject) is under CA \(authority.certificate.subject) of \(listing.issuer), removed from the trust list on \(Timestamp.iso(at)) (\(reason)); nothing under it is accepted",
                                  hint: "the holder needs the credential issued again under a CA in service")
            }
            // A signer the list does not hold itself is held to its CA's listing (types, window, retirement).
            var anchored = TrustAnchor(keyID: signer.keyID, key: signer.key, certificate: certificate,
                                       source: "\(signer.source), under CA \(authority.source)", listing: signer.listing ?? authority.listing)
            anchored.fromPayload = signer.fromPayload
            anchored.intermediates = signer.intermediates
            return anchored
        }
    }
}

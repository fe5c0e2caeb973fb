import QRCertCrypto

/// A CA certificate (a national CSCA) that document signer certificates may chain to (docs/TRUST.md §5).
///
/// A signer certificate found through one (carried in the payload's x5chain, or given with `--trust` while
/// CAs are trusted) is a key only once `CertificateChainPolicy` has validated its path to it.
public struct CertificateAuthority: Sendable {
    /// The CA certificate; basicConstraints cA=TRUE (checked when it is added).
    public let certificate: Certificate
    /// Where it was loaded from, for messages and verdicts.
    public let source: String
    /// What a trust list says of the CA (issuer, credential types, window, status), when it came from one: signers
    /// that chain to it and are not listed themselves take this listing (scope, window, retirement, removal).
    public internal(set) var listing: TrustListEntry? = nil
}

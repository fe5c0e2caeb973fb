import QRCertFormat

/// Step 10 of docs/FORMAT.md §5: the credential's window, and the signer certificate's, contain the
/// verification time; `exp` is present unless the record's profile lets it have none.
public struct ValidityPolicy: VerificationPolicy {
    public static let step = 10
    public static let name = "Validity policy"

    /// A validity policy.
    public init() {}

    public func check(_ input: inout PolicyInput) -> [QRCertError] {
        let time = input.time, skew = input.clockSkew
        let (notBefore, issuedAt, expiresAt) = (input.claims.notBefore, input.claims.issuedAt, input.claims.expiresAt)
        var failures: [QRCertError] = []
        if let nbf = notBefore, time + skew < nbf {
            failures.append(QRCertError(.validity, "CWT_NOT_YET_VALID", "not valid before \(Timestamp.iso(nbf))"))
        } else if let iat = issuedAt, time + skew < iat {
            failures.append(QRCertError(.validity, "CWT_NOT_YET_VALID", "issued in the future, at \(Timestamp.iso(iat))"))
        }
        if let exp = expiresAt {
            if time >= exp { failures.append(QRCertError(.validity, "CWT_EXPIRED", "expired at \(Timestamp.iso(exp))")) }
        } else if !(input.record?.mayHaveNoExpiry ?? false) {
            // Decided from the decoded record, not from the content step's verdict; no record, no exemption.
            failures.append(QRCertError(.validity, "CWT_NO_EXPIRY", "no expiry (exp) and the credential type does not allow none"))
        }
        if let certificate = input.signer.certificate {
            if let iat = issuedAt, iat < certificate.notBefore {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "issued at \(Timestamp.iso(iat)), before the signer certificate's notBefore \(Timestamp.iso(certificate.notBefore))"))
            }
            if let exp = expiresAt, exp > certificate.notAfter {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "expires at \(Timestamp.iso(exp)), after the signer certificate's notAfter \(Timestamp.iso(certificate.notAfter))"))
            }
            if time < certificate.notBefore || time > certificate.notAfter {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "the signer certificate is not valid at \(Timestamp.iso(time))"))
            }
        }
        return failures
    }
}

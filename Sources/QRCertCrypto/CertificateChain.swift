internal import COpenSSL
import QRCertFormat

/// Offline path validation of a document signer certificate up to a trusted CA certificate (a CSCA):
/// RFC 5280 §6 as libcrypto's `X509_verify_cert` does it (signatures, validity of every certificate at the
/// given time, basicConstraints and keyCertSign on each CA), plus the two signer rules it leaves to the
/// application: the signer is not a CA and, when it has a keyUsage, it allows digitalSignature
/// (`Certificate.signerProblem`).
///
/// No network, no CRL or OCSP: revocation of a signer is the trust list's and the revocation lists' job.
public enum CertificateChain {
    /// nil when `signer` chains to one of `anchors` at `time` (seconds since 1970 UTC), through `intermediates`
    /// (untrusted: they only help build the path); otherwise why not, as a verdict error (stage .key):
    /// CERT_NOT_SIGNER, CHAIN_UNTRUSTED, CHAIN_BAD_SIGNATURE, CHAIN_EXPIRED, CHAIN_CA_INVALID or CHAIN_FAILED.
    /// `when` names `time` in messages ("at 2027-01-05T17:00:00Z, when it was issued").
    public static func problem(_ signer: Certificate, intermediates: [Certificate] = [], anchors: [Certificate],
                               at time: Int64, when: String) -> QRCertError? {
        guard case .failure(let error) = validate(signer, intermediates: intermediates, anchors: anchors, at: time, when: when) else {
            return nil
        }
        return error
    }

    /// The index in `anchors` of the CA `signer` chains to, or why it does not (the errors of `problem`).
    public static func validate(_ signer: Certificate, intermediates: [Certificate] = [], anchors: [Certificate],
                                at time: Int64, when: String) -> Result<Int, QRCertError> {
        check(signer, intermediates: intermediates, anchors: anchors, at: time, when: when)
    }

    private static func check(_ signer: Certificate, intermediates: [Certificate], anchors: [Certificate],
                              at time: Int64, when: String) -> Result<Int, QRCertError> {
        let name = "signer certificate \(signer.subject)"
        guard let leaf = ChainCertificate(signer.derBytes) else {
            return .failure(QRCertError(.key, "CHAIN_FAILED", "\(name) cannot be read"))
        }
        if let problem = signer.signerProblem {
            return .failure(QRCertError(.key, "CERT_NOT_SIGNER", "\(name) cannot sign payloads: \(problem)"))
        }
        guard let store = X509_STORE_new() else { return .failure(failure("X509_STORE_new", name)) }
        defer { X509_STORE_free(store) }
        var trusted: [ChainCertificate] = []
        for anchor in anchors {
            guard let certificate = ChainCertificate(anchor.derBytes), X509_STORE_add_cert(store, certificate.pointer) == 1 else {
                return .failure(failure("X509_STORE_add_cert", name))
            }
            trusted.append(certificate)
        }
        guard let untrusted = OPENSSL_sk_new_null() else { return .failure(failure("OPENSSL_sk_new_null", name)) }
        defer { OPENSSL_sk_free(untrusted) }
        var held: [ChainCertificate] = []
        for intermediate in intermediates {
            guard let certificate = ChainCertificate(intermediate.derBytes),
                  OPENSSL_sk_push(untrusted, UnsafeRawPointer(certificate.pointer)) > 0 else {
                return .failure(failure("OPENSSL_sk_push", name))
            }
            held.append(certificate)
        }
        guard let context = X509_STORE_CTX_new() else { return .failure(failure("X509_STORE_CTX_new", name)) }
        defer { X509_STORE_CTX_free(context) }
        return withExtendedLifetime((trusted, held)) { () -> Result<Int, QRCertError> in
            guard X509_STORE_CTX_init(context, store, leaf.pointer, untrusted) == 1 else {
                return .failure(failure("X509_STORE_CTX_init", name))
            }
            let parameters = X509_STORE_CTX_get0_param(context)
            // The CSCA may be a national intermediate rather than a self-signed root: any --trust-ca certificate is an anchor.
            X509_VERIFY_PARAM_set_flags(parameters, UInt(X509_V_FLAG_PARTIAL_CHAIN))
            X509_VERIFY_PARAM_set_time(parameters, time_t(time))
            let rc = X509_verify_cert(context)
            LibCrypto.clearErrors()
            if rc == 1 {
                // The last certificate of the path built is the trusted CA it ended at.
                guard let path = X509_STORE_CTX_get0_chain(context), OPENSSL_sk_num(path) > 0,
                      let top = OPENSSL_sk_value(path, OPENSSL_sk_num(path) - 1),
                      let index = trusted.firstIndex(where: { X509_cmp($0.pointer, OpaquePointer(top)) == 0 }) else {
                    return .failure(QRCertError(.key, "CHAIN_FAILED", "\(name) validates, but not to a --trust-ca certificate"))
                }
                return .success(index)
            }
            let code = X509_STORE_CTX_get_error(context)
            let reason = String(cString: X509_verify_cert_error_string(Int(code)))
            switch code {
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                return .failure(QRCertError(.key, "CHAIN_UNTRUSTED", "\(name) does not chain to a trusted CA",
                                            hint: "pass the CSCA that issued it with --trust-ca"))
            case X509_V_ERR_CERT_SIGNATURE_FAILURE:
                return .failure(QRCertError(.key, "CHAIN_BAD_SIGNATURE",
                                            "\(name) names a trusted CA as its issuer but that CA's signature on it does not verify"))
            case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID:
                let depth = X509_STORE_CTX_get_error_depth(context)
                return .failure(QRCertError(.key, "CHAIN_EXPIRED", "\(depth == 0 ? name : "its CA certificate") is not valid \(when)"))
            case X509_V_ERR_INVALID_CA, X509_V_ERR_KEYUSAGE_NO_CERTSIGN, X509_V_ERR_PATH_LENGTH_EXCEEDED:
                return .failure(QRCertError(.key, "CHAIN_CA_INVALID", "\(name) is issued by a certificate that may not issue certificates: \(reason)"))
            default:
                return .failure(QRCertError(.key, "CHAIN_FAILED", "\(name) does not validate: \(reason)"))
            }
        }
    }

    /// Whether `certificate` may act as a trust anchor for signers: basicConstraints cA=TRUE (X509_check_ca).
    public static func isCA(_ certificate: Certificate) -> Bool {
        guard let parsed = ChainCertificate(certificate.derBytes) else { return false }
        return X509_check_ca(parsed.pointer) == 1
    }

    private static func failure(_ function: StaticString, _ name: String) -> QRCertError {
        LibCrypto.failure(function, .key, "CHAIN_FAILED", message: "\(name) cannot be checked: libcrypto \(function) failed")
    }
}

/// Owns one `X509` parsed from DER for path validation.
private final class ChainCertificate {
    let pointer: OpaquePointer

    init?(_ der: [UInt8]) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            LibCrypto.clearErrors()
            return nil
        }
        pointer = parsed
    }

    deinit { X509_free(pointer) }
}

import QRCertCrypto
import QRCertFormat

/// Step 5 of docs/FORMAT.md §5, the structure the signature check needs: `crit` names only labels this
/// verifier understands (RFC 9052 §3.1), a `kid` to find keys by, and an `alg` from where the prefix allows.
/// A failure stops evaluation: there is nothing to verify.
public enum StructurePolicy {
    /// COSE header label of `crit`.
    public static let critLabel: Int64 = 2
    /// Protected header labels this verifier understands, so `crit` may name them: alg, content type, kid.
    public static let understoodLabels: Set<Int64> = [1, 3, 4]

    /// The kid and algorithm of `cose` (a `CoseSign1` or a view of one), or the first structural failure.
    public static func check(_ cose: some CoseHeaders, prefix: Payload.Prefix) throws(QRCertError) -> (keyID: [UInt8], algorithm: SignatureAlgorithm) {
        try checkCritical(cose)
        // Key id: the protected header wins; the unprotected one only helps find a key.
        let kidItem = cose.protectedKeyID ?? cose.unprotectedKeyID
        guard let kidItem else { throw QRCertError(.cose, "COSE_NO_KID", "no key id (kid) in the COSE headers") }
        guard case .bytes(let kid) = kidItem else { throw QRCertError(.cose, "COSE_BAD_HEADER", "kid must be a byte string") }
        return (kid, try algorithm(of: cose, prefix: prefix))
    }

    /// `crit`: only protected, a non-empty array of integer or text labels, every one understood here.
    static func checkCritical(_ cose: some CoseHeaders) throws(QRCertError) {
        if cose.unprotectedHeader.contains(where: { $0.key.int64 == critLabel }) {
            throw QRCertError(.cose, "COSE_BAD_HEADER", "crit (2) must be in the protected header")
        }
        guard let crit = cose.protectedHeader.first(where: { $0.key.int64 == critLabel })?.value else { return }
        guard case .array(let labels) = crit, !labels.isEmpty else {
            throw QRCertError(.cose, "COSE_BAD_HEADER", "crit (2) must be a non-empty array of header labels")
        }
        for label in labels {
            switch label {
            case .unsigned, .negative:
                guard let value = label.int64, understoodLabels.contains(value) else {
                    throw QRCertError(.cose, "COSE_CRIT_UNKNOWN", "crit (2) names header label \(label), which this verifier does not understand")
                }
            case .text:
                throw QRCertError(.cose, "COSE_CRIT_UNKNOWN", "crit (2) names header label \(label), which this verifier does not understand")
            default:
                throw QRCertError(.cose, "COSE_BAD_HEADER", "crit (2) must be a non-empty array of header labels")
            }
        }
    }

    /// `alg`: protected header for qrcert payloads; foreign (DCC) payloads may carry it only unprotected.
    static func algorithm(of cose: some CoseHeaders, prefix: Payload.Prefix) throws(QRCertError) -> SignatureAlgorithm {
        let item: CBOR
        if let protected = cose.protectedAlgorithm {
            item = protected
        } else if prefix == .dcc, let unprotected = cose.unprotectedAlgorithm {
            item = unprotected
        } else {
            throw QRCertError(.cose, "COSE_NO_ALG", "no algorithm (alg) in the protected header")
        }
        guard let id = item.int64, let algorithm = SignatureAlgorithm(rawValue: id) else {
            throw QRCertError(.key, "ALG_UNSUPPORTED", "algorithm \(item) is not one of ES256, ES384, PS256, EdDSA")
        }
        return algorithm
    }
}

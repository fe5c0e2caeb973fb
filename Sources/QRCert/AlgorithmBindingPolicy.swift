import QRCertCrypto
import QRCertFormat

/// Step 6 of docs/FORMAT.md §5: the algorithm is bound to the key type (docs/FORMAT.md §4.2), so a payload can
/// never choose another one. A failure stops evaluation: no kept key could check the signature.
public enum AlgorithmBindingPolicy {
    /// The candidates whose key verifies `algorithm`, in their order; `ALG_KEY_MISMATCH` when none does.
    public static func keys(_ candidates: [TrustAnchor], for algorithm: SignatureAlgorithm, keyID: [UInt8]) throws(QRCertError) -> [TrustAnchor] {
        func fits(_ anchor: TrustAnchor) -> Bool { anchor.key.algorithms.contains(algorithm) }
        // Usually every candidate fits: then the array is passed on rather than filtered into a new one.
        let fitting = candidates.allSatisfy(fits) ? candidates : candidates.filter(fits)
        guard !fitting.isEmpty else {
            throw QRCertError(.key, "ALG_KEY_MISMATCH",
                              "payload declares \(algorithm.name) but the trusted key \(Hex.encode(keyID)) is \(candidates[0].key.typeDescription)")
        }
        return fitting
    }
}

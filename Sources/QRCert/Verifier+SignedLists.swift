import QRCertCrypto
import QRCertFormat

extension Verifier {
    /// Uses the trust list in `bytes`, signed by `root`: refuses one made for another `environment` than
    /// asked (`TL_ENVIRONMENT`), an edition older than the one `memory` holds for this root, a reused
    /// sequence and an expired list; then adds its keys, names it in every verdict and remembers the edition
    /// in `memory`. Returns the warnings (stale, clock) the caller must show.
    public mutating func useTrustList(_ bytes: [UInt8], source: String, root: PublicKey, environment: TrustList.Environment?,
                                      at time: Int64, memory: inout AcceptedLists) throws(QRCertError) -> [QRCertError] {
        let list = try TrustList.open(bytes, root: root, source: source)
        if let environment, list.environment != environment {
            throw QRCertError(.trust, "TL_ENVIRONMENT",
                              "\(source) is a \(list.environment.rawValue) trust list, but --environment \(environment.rawValue) was asked for",
                              hint: "use the \(environment.rawValue) list from the authority")
        }
        let warnings = try list.accept(at: time, remembered: memory[list.acceptedSlot], source: source)
        trust.add(list, source: source)
        lists.trustList = list.summary(source: source)
        memory.remember(list, source: source, at: time)
        return warnings
    }

    /// Uses the revocation list in `bytes`, signed by `root` or by a key of `trust` in service at `time`
    /// (`RevocationList.Signer.all`), which gives it its scope: refuses an edition older than the one
    /// `memory` holds for that signer, a reused sequence and an expired list; then consults it for every
    /// verdict and remembers the edition. Returns the warnings the caller must show.
    public mutating func useRevocations(_ bytes: [UInt8], source: String, root: PublicKey?, at time: Int64,
                                        memory: inout AcceptedLists) throws(QRCertError) -> [QRCertError] {
        let list = try RevocationList.open(bytes, signers: RevocationList.Signer.all(root: root, trust: trust, at: time), source: source)
        let warnings = try list.accept(at: time, remembered: memory[list.acceptedSlot], source: source)
        lists.revocations.append((list, source))
        memory.remember(list, source: source, at: time)
        return warnings
    }
}

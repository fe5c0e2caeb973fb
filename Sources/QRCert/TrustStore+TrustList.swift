import QRCertFormat

extension TrustStore {
    /// Adds every key of a trust list, removed ones included: the verifier refuses what those signed by name
    /// (`KEY_COMPROMISED`) instead of not knowing the key. Each entry's listing applies to its key (SPKI), so
    /// the same key given with `--trust`, bare or as any certificate of it, takes the listing too.
    public mutating func add(_ list: TrustList, source: String) {
        for entry in list.entries {
            record(entry)
            append(TrustAnchor(keyID: entry.keyID, key: entry.key, certificate: entry.certificate,
                               source: "\(source) #\(list.header.sequence): \(entry.issuer)", listing: entry, fromTrustList: true))
        }
    }
}

import QRCertFormat

extension TrustStore {
    /// Adds every key of a trust list, removed ones included: the verifier refuses what those signed by name
    /// (`KEY_COMPROMISED`) instead of not knowing the key.
    public mutating func add(_ list: TrustList, source: String) {
        for entry in list.entries {
            append(TrustAnchor(keyID: entry.keyID, key: entry.key, certificate: entry.certificate,
                               source: "\(source) #\(list.header.sequence): \(entry.issuer)", listing: entry))
        }
    }
}

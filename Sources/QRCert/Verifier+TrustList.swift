import QRCertFormat

extension Verifier {
    /// A key id that the trust list removed as compromised verifies nothing, even when the same key is
    /// also given with `--trust`: fail closed, and name the reason rather than `KID_UNKNOWN`.
    func refusingRemoved(_ candidates: [TrustAnchor], keyID: [UInt8]) throws(QRCertError) -> [TrustAnchor] {
        for anchor in candidates {
            guard let listing = anchor.listing, case .removed(let at, let reason) = listing.status else { continue }
            throw QRCertError(.key, "KEY_COMPROMISED",
                              "key \(Hex.encode(keyID)) of \(listing.issuer) was removed from the trust list on \(Timestamp.iso(at)) (\(reason)); nothing it signed is accepted",
                              hint: "the holder needs the credential issued again with a key in service")
        }
        return candidates
    }

    /// Key policy (docs/TRUST.md), for keys that came from a trust list: the key may sign this credential
    /// type, is within its own validity at `time`, and was not retired before the credential's `iat`.
    func keyPolicy(_ claims: CWTClaims, prefix: Payload.Prefix, anchor: TrustAnchor, at time: Int64) -> [QRCertError] {
        guard let listing = anchor.listing else { return [] }
        var failures: [QRCertError] = []
        let kid = Hex.encode(anchor.keyID)
        let type = prefix == .qrcert ? claims[CWTClaims.Key.credential]?[1]?.textValue : nil
        if !listing.allows(type) {
            failures.append(QRCertError(.key, "KEY_SCOPE",
                                        "key \(kid) of \(listing.issuer) may sign \(listing.types.joined(separator: ", ")), not \(type ?? "a credential without a qrcert type")"))
        }
        if time + clockSkew < listing.notBefore {
            failures.append(QRCertError(.key, "KEY_NOT_YET_VALID", "key \(kid) of \(listing.issuer) is valid only from \(Timestamp.iso(listing.notBefore))"))
        }
        if time >= listing.notAfter {
            failures.append(QRCertError(.key, "KEY_EXPIRED",
                                        "key \(kid) of \(listing.issuer) was valid until \(Timestamp.iso(listing.notAfter)); what it signed is no longer accepted",
                                        hint: "the holder needs the credential issued again with a key in service"))
        }
        // iat is chosen by the signer, so this catches an office still using an old key, not an attacker.
        if case .retired(let at) = listing.status, let iat = claims.issuedAt, iat >= at {
            failures.append(QRCertError(.key, "KEY_RETIRED",
                                        "issued at \(Timestamp.iso(iat)) with key \(kid) of \(listing.issuer), retired since \(Timestamp.iso(at))"))
        }
        return failures
    }
}

import QRCertFormat

/// Step 11 of docs/FORMAT.md §5 (docs/TRUST.md §2.4): for a signer key the trust list holds (found by its
/// SPKI, whichever kid named it), the key may sign this credential type, is within its own window, and
/// was not retired before the credential's `iat`.
public struct KeyListingPolicy: VerificationPolicy {
    public static let step = 11
    public static let name = "Trust-list key policy"

    /// A key policy.
    public init() {}

    public func check(_ input: inout PolicyInput) -> [QRCertError] {
        guard let listing = input.signer.listing else { return [] }
        var failures: [QRCertError] = []
        let kid = Hex.encode(input.signer.keyID), time = input.time
        let type = input.credentialType
        if !listing.allows(type) {
            failures.append(QRCertError(.key, "KEY_SCOPE",
                                        "key \(kid) of \(listing.issuer) may sign \(listing.types.joined(separator: ", ")), not \(type ?? "a credential without a qrcert type")"))
        }
        if time + input.clockSkew < listing.notBefore {
            failures.append(QRCertError(.key, "KEY_NOT_YET_VALID", "key \(kid) of \(listing.issuer) is valid only from \(Timestamp.iso(listing.notBefore))"))
        }
        if time >= listing.notAfter {
            failures.append(QRCertError(.key, "KEY_EXPIRED",
                                        "key \(kid) of \(listing.issuer) was valid until \(Timestamp.iso(listing.notAfter)); what it signed is no longer accepted",
                                        hint: "the holder needs the credential issued again with a key in service"))
        }
        // iat is chosen by the signer, so this catches an office still using an old key, not an attacker.
        // Without an iat nothing shows the credential predates the retirement: fail closed.
        if case .retired(let at) = listing.status {
            if let iat = input.claims.issuedAt {
                if iat >= at {
                    failures.append(QRCertError(.key, "KEY_RETIRED",
                                                "issued at \(Timestamp.iso(iat)) with key \(kid) of \(listing.issuer), retired since \(Timestamp.iso(at))"))
                }
            } else {
                failures.append(QRCertError(.key, "KEY_RETIRED",
                                            "no issue time (iat) with key \(kid) of \(listing.issuer), retired since \(Timestamp.iso(at)): it cannot be shown to predate the retirement"))
            }
        }
        return failures
    }
}

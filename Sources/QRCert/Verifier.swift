import QRCertCrypto
import QRCertFormat

/// Verifies payloads against a trust store: decoding and signature checking is the mechanism,
/// the validity window and the profile are policies, each reporting its own failure.
///
/// The clock is a parameter (`at`), never read here.
public struct Verifier: Sendable {
    /// Trusted keys and certificates.
    public var trust: TrustStore
    /// Known credential profiles by type.
    public var profiles: [String: Profile]
    /// Tolerance for `iat`/`nbf` in the future, in seconds (clocks of laptops drift).
    public var clockSkew: Int64 = 300
    /// Decoder limits.
    public var limits: Payload.Limits = .standard
    /// The trust list and revocation lists in force (docs/TRUST.md); every verdict names them.
    public var lists = SignedLists()

    /// A verifier trusting `trust` and knowing `profiles`.
    public init(trust: TrustStore, profiles: [Profile]) {
        self.trust = trust
        var byType: [String: Profile] = [:]
        for profile in profiles { byType[profile.type] = profile }
        self.profiles = byType
    }

    /// Verifies `text` at `time` (seconds since 1970 UTC).
    public func verify(_ text: String, at time: Int64) -> Verdict {
        var verdict = Verdict(time: time)
        verdict.lists = lists.summaries
        do throws(QRCertError) {
            try check(text, into: &verdict)
        } catch {
            verdict.failures.insert(error, at: 0)
        }
        return verdict
    }

    /// The mechanism: decode, find the key, check the signature, then run the policies.
    private func check(_ text: String, into verdict: inout Verdict) throws(QRCertError) {
        let payload = try Payload.decode(text, limits: limits)
        verdict.prefix = payload.prefix
        let cose = payload.cose

        // Key id: the protected header wins; the unprotected one only helps find a key.
        let kidItem = cose.protectedKeyID ?? cose.unprotectedKeyID
        guard let kidItem else { throw QRCertError(.cose, "COSE_NO_KID", "no key id (kid) in the COSE headers") }
        guard case .bytes(let kid) = kidItem else { throw QRCertError(.cose, "COSE_BAD_HEADER", "kid must be a byte string") }
        verdict.keyID = kid

        let algorithm = try Self.algorithm(of: cose, prefix: payload.prefix)
        verdict.algorithm = algorithm.rawValue

        let candidates = try refusingRemoved(trust.anchors(for: kid), keyID: kid)
        guard !candidates.isEmpty else {
            throw QRCertError(.key, "KID_UNKNOWN", "no trusted key has key id \(Hex.encode(kid))",
                              hint: "pass the issuer's public key or certificate with --trust")
        }
        // The algorithm is bound to the key type: a payload can never choose another one.
        // Listed anchors first: a key also given with --trust must not escape its trust list's key policy
        // and issuer-scoped revocation lists (the same key verifies either way).
        let fitting = candidates.filter { $0.key.algorithms.contains(algorithm) && $0.listing != nil }
            + candidates.filter { $0.key.algorithms.contains(algorithm) && $0.listing == nil }
        guard !fitting.isEmpty else {
            throw QRCertError(.key, "ALG_KEY_MISMATCH",
                              "payload declares \(algorithm.name) but the trusted key \(Hex.encode(kid)) is \(candidates[0].key.typeDescription)")
        }
        let toBeSigned = cose.toBeSigned()
        // Several anchors may share a kid: try each, so a colliding wrong key never masks the right one.
        for anchor in fitting where try anchor.key.verify(cose.signature, of: toBeSigned, algorithm: algorithm) {
            verdict.anchor = anchor
            break
        }
        guard let anchor = verdict.anchor else {
            throw QRCertError(.signature, "SIG_INVALID", "the signature does not verify with the trusted key \(Hex.encode(kid))")
        }
        verdict.signatureVerified = true

        let claimsItem: CBOR
        do throws(QRCertError) {
            claimsItem = try CBORDecoder.decode(cose.payload)
        } catch {
            throw QRCertError(.cbor, error.code, "signed claims are not valid CBOR: \(error.message)")
        }
        let claims = try CWTClaims.decode(claimsItem)
        verdict.claims = claims

        // Policies: each runs and reports; all failures are kept.
        var credential: Credential?
        do throws(QRCertError) {
            credential = try content(claims, prefix: payload.prefix)
            verdict.credential = credential
        } catch {
            verdict.failures.append(error)
        }
        verdict.failures.append(contentsOf: validity(claims, credential: credential, prefix: payload.prefix, anchor: anchor, at: verdict.time))
        verdict.failures.append(contentsOf: keyPolicy(claims, prefix: payload.prefix, anchor: anchor, at: verdict.time))
        revocation(claims, anchor: anchor, into: &verdict)
        verdict.failures.sort { ($0.stage.order) < ($1.stage.order) }
    }

    /// `alg`: protected header for qrcert payloads; foreign (DCC) payloads may carry it only unprotected.
    static func algorithm(of cose: CoseSign1, prefix: Payload.Prefix) throws(QRCertError) -> SignatureAlgorithm {
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

    /// Validity window policy (docs/FORMAT.md §5.8).
    func validity(_ claims: CWTClaims, credential: Credential?, prefix: Payload.Prefix, anchor: TrustAnchor, at time: Int64) -> [QRCertError] {
        var failures: [QRCertError] = []
        if let nbf = claims.notBefore, time + clockSkew < nbf {
            failures.append(QRCertError(.validity, "CWT_NOT_YET_VALID", "not valid before \(Timestamp.iso(nbf))"))
        } else if let iat = claims.issuedAt, time + clockSkew < iat {
            failures.append(QRCertError(.validity, "CWT_NOT_YET_VALID", "issued in the future, at \(Timestamp.iso(iat))"))
        }
        if let exp = claims.expiresAt {
            if time >= exp { failures.append(QRCertError(.validity, "CWT_EXPIRED", "expired at \(Timestamp.iso(exp))")) }
        } else if !(credential?.mayHaveNoExpiry ?? false) {
            failures.append(QRCertError(.validity, "CWT_NO_EXPIRY", "no expiry (exp) and the credential type does not allow none"))
        }
        if let certificate = anchor.certificate {
            if let iat = claims.issuedAt, iat < certificate.notBefore {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "issued at \(Timestamp.iso(iat)), before the signer certificate's notBefore \(Timestamp.iso(certificate.notBefore))"))
            }
            if let exp = claims.expiresAt, exp > certificate.notAfter {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "expires at \(Timestamp.iso(exp)), after the signer certificate's notAfter \(Timestamp.iso(certificate.notAfter))"))
            }
            if time < certificate.notBefore || time > certificate.notAfter {
                failures.append(QRCertError(.validity, "CERT_WINDOW", "the signer certificate is not valid at \(Timestamp.iso(time))"))
            }
        }
        return failures
    }

    /// Content policy: a qrcert payload carries a known credential type and a record its profile accepts.
    func content(_ claims: CWTClaims, prefix: Payload.Prefix) throws(QRCertError) -> Credential? {
        guard prefix == .qrcert else { return nil }  // foreign payloads: generic CWT, no business rules
        guard claims.issuer != nil else { throw QRCertError(.content, "CWT_NO_ISSUER", "no issuer (iss) claim") }
        guard case .map? = claims[CWTClaims.Key.credential], let content = claims[CWTClaims.Key.credential] else {
            throw QRCertError(.content, "CONTENT_MISSING", "no credential claim (\(CWTClaims.Key.credential))")
        }
        guard case .text(let type)? = content[1] else {
            throw QRCertError(.content, "CONTENT_BAD_RECORD", "credential type must be text")
        }
        guard let profile = profiles[type] else {
            throw QRCertError(.content, "CONTENT_UNKNOWN_TYPE", "credential type \(type) has no profile here",
                              hint: "pass its profile with --profile FILE")
        }
        guard let record = content[2] else { throw QRCertError(.content, "CONTENT_BAD_RECORD", "credential has no record") }
        let credential = try Credential(cbor: record, profile: profile)
        // The window in the claims must be the one the record states.
        if claims.notBefore != credential.validFrom || claims.expiresAt != credential.validUntil {
            throw QRCertError(.content, "CONTENT_WINDOW_MISMATCH", "nbf/exp do not match the record's \(profile.validFrom)/\(profile.validUntil ?? "no expiry")")
        }
        return credential
    }
}

extension QRCertError.Stage {
    /// Position in the verification order of docs/FORMAT.md §5.
    var order: Int { Self.allCases.firstIndex(of: self) ?? Int.max }
}

import QRCertCrypto
import QRCertFormat

/// Verifies payloads against a trust store (docs/FORMAT.md §5): decoding, the key look-up and the signature
/// check are the mechanism, which stops at its first failure; structure (`StructurePolicy`) and algorithm
/// binding (`AlgorithmBindingPolicy`) gate it; content, validity, trust-list key and revocation policies
/// then all run, in the documented order, each failure kept.
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

    /// The policies of docs/FORMAT.md §5 steps 9-13, in the documented order; each runs and every failure is kept.
    public var policies: [any VerificationPolicy] {
        [ContentPolicy(profiles: profiles), ValidityPolicy(), KeyListingPolicy(), RevocationPolicy(revocations: lists.revocations),
         SpecimenPolicy()]
    }

    /// Runs `policies`, in their order, on `input`: called directly rather than through an array of existentials
    /// made for every payload (PolicyOrderTests checks that this is the order and the failures of `policies`).
    func runPolicies(_ input: inout PolicyInput, into failures: inout [QRCertError]) {
        func keep(_ found: [QRCertError]) { if !found.isEmpty { failures.append(contentsOf: found) } }
        keep(ContentPolicy(profiles: profiles).check(&input))
        keep(ValidityPolicy().check(&input))
        keep(KeyListingPolicy().check(&input))
        keep(RevocationPolicy(revocations: lists.revocations).check(&input))
        keep(SpecimenPolicy().check(&input))
    }

    /// Verifies `text` at `time` (seconds since 1970 UTC). Valid only when the signature verified and no
    /// step failed. A thread verifying many payloads passes its own `inflater`, reused for each (never shared).
    public func verify(_ text: String, at time: Int64, inflater: Inflater? = nil) -> Verdict {
        var verdict = Verdict(time: time)
        verdict.lists = lists.summaries
        do throws(QRCertError) {
            try check(text, inflater: inflater, into: &verdict)
        } catch {
            verdict.failures.insert(error, at: 0)
        }
        return verdict
    }

    /// The mechanism (steps 1-8: decode, find the key, check the signature, decode the claims), then the policies.
    private func check(_ text: String, inflater: Inflater?, into verdict: inout Verdict) throws(QRCertError) {
        // In place: the stages land in the inflater's buffers and the COSE parts stay ranges of them (docs/PERFORMANCE.md).
        let payload = try Payload.view(text, limits: limits, inflater: inflater)
        verdict.prefix = payload.prefix
        let cose = payload.cose

        let (kid, algorithm) = try StructurePolicy.check(cose, prefix: payload.prefix)
        verdict.keyID = kid
        verdict.algorithm = algorithm.rawValue

        // Candidates by kid; each carries its key's listing (by SPKI), so removal is seen under every kid.
        // With CAs trusted, a signer certificate the payload carries (x5chain) is a candidate too, until step 8a.
        var candidates = trust.anchors(for: kid)
        if candidates.isEmpty, let carried = try trust.payloadSigner(cose.unprotectedX5Chain, keyID: kid) {
            candidates = [carried]
        }
        guard !candidates.isEmpty else {
            throw QRCertError(.key, "KID_UNKNOWN", "no trusted key has key id \(Hex.encode(kid))",
                              hint: cose.unprotectedX5Chain != nil && trust.authorities.isEmpty
                                  ? "the payload carries its signer certificate (x5chain): pass the CA that issued it with --trust-ca"
                                  : "pass the issuer's public key or certificate with --trust")
        }
        try Self.refusingRemoved(candidates, keyID: kid)
        // An X.509 anchor must be a signer certificate (not a CA, keyUsage allowing digitalSignature), however it was added.
        func isSigner(_ anchor: TrustAnchor) -> Bool { anchor.certificate?.signerProblem == nil }
        let signers = candidates.allSatisfy(isSigner) ? candidates : candidates.filter(isSigner)
        guard !signers.isEmpty else {
            throw QRCertError(.key, "CERT_NOT_SIGNER",
                              "the certificate with key id \(Hex.encode(kid)) cannot sign payloads: \(candidates[0].certificate?.signerProblem ?? "")")
        }
        let fitting = try AlgorithmBindingPolicy.keys(signers, for: algorithm, keyID: kid)
        // Several anchors may share a kid: try each, so a colliding wrong key never masks the right one. The
        // Sig_structure is hashed from its parts in place (`CoseSign1.View.sigStructure`), never built.
        for anchor in fitting where try anchor.key.verify(cose.signature, algorithm: algorithm, message: { cose.sigStructure($0) }) {
            verdict.anchor = anchor
            break
        }
        guard let anchor = verdict.anchor else {
            throw QRCertError(.signature, "SIG_INVALID", "the signature does not verify with the trusted key \(Hex.encode(kid))")
        }
        verdict.signatureVerified = true

        let claimsItem: CBOR
        do throws(QRCertError) {
            claimsItem = try CBORDecoder.decode(cose.payload)  // the claims in place, not a copy
        } catch {
            throw QRCertError(.cbor, error.code, "signed claims are not valid CBOR: \(error.message)")
        }
        let claims = try CWTClaims.decode(claimsItem)
        do throws(QRCertError) {
            verdict.anchor = try CertificateChainPolicy.check(anchor, claims: claims, time: verdict.time, authorities: trust.authorities)
        } catch {
            // Not a trusted key after all: the signature proves nothing, and nothing the payload says is shown.
            verdict.anchor = nil
            verdict.signatureVerified = false
            throw error
        }
        verdict.claims = claims

        var input = PolicyInput(prefix: payload.prefix, claims: claims, signer: verdict.anchor ?? anchor, time: verdict.time, clockSkew: clockSkew)
        input.keyID = kid
        runPolicies(&input, into: &verdict.failures)
        verdict.claims = input.claims  // with a QC2: payload's derived nbf and cti
        verdict.credential = input.credential
        verdict.revocation = input.revocation
    }

    /// A key the trust list removed as compromised verifies nothing, under any kid and however it was given
    /// (removal always wins): fail closed before its signature is checked, and name the reason rather than `KID_UNKNOWN`.
    static func refusingRemoved(_ candidates: [TrustAnchor], keyID: [UInt8]) throws(QRCertError) {
        for anchor in candidates {
            guard let listing = anchor.listing, case .removed(let at, let reason) = listing.status else { continue }
            throw QRCertError(.key, "KEY_COMPROMISED",
                              "key \(Hex.encode(keyID)) of \(listing.issuer) was removed from the trust list on \(Timestamp.iso(at)) (\(reason)); nothing it signed is accepted",
                              hint: "the holder needs the credential issued again with a key in service")
        }
    }
}

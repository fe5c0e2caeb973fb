import QRCertCrypto
import QRCertFormat

/// Signs credentials into QR payload text. Thread-safe: one issuer serves every worker.
public struct Issuer: Sendable {
    /// The signing key: a PEM key in memory or a key in a PKCS#11 token.
    public let key: any Signer
    /// `iss`, the issuing authority's name as printed.
    public let name: String
    /// Key id placed in the protected header: the key's SPKI kid, or the signer certificate's kid.
    public let keyID: [UInt8]
    /// The X.509 signer certificate credentials are issued under, if any (docs/TRUST.md).
    public let certificate: Certificate?
    /// Whether each payload carries `certificate` in its unprotected header (x5chain, RFC 9360).
    public let embedsCertificate: Bool
    /// Whether every credential is signed as a specimen (docs/FORMAT.md §4.5): training cards and samples,
    /// which verifiers show as SPECIMEN and never accept (`SpecimenPolicy`).
    public var specimen = false
    /// The payload format written: `compact` (`QC2:`, docs/FORMAT.md §9) unless an old verifier must read it.
    public var encoding = Encoding.compact

    /// Payload formats the issuer writes; verifiers read both.
    public enum Encoding: Sendable {
        /// `QC1:`: zlib, the credential claim as a map and the record with every field (docs/FORMAT.md §4).
        case version1
        /// `QC2:`: no zlib, no `nbf` or `cti`, the record's dates derived from `iat` and `exp`, compact values (§9).
        case compact

        /// The prefix of the payloads it makes.
        public var prefix: Payload.Prefix { self == .compact ? .compact : .qrcert }
    }

    /// An issuer with `key` named `name`; with `certificate`, payloads name the certificate's kid (the EU DCC
    /// rule: first 8 bytes of SHA-256 over its DER) and, if `embedCertificate`, carry it as x5chain. It writes
    /// `encoding` (`QC2:` by default).
    ///
    /// The certificate must hold `key`'s public key (CERT_KEY_MISMATCH) and be a document signer's: not a CA,
    /// digitalSignature in its keyUsage when it has one (CERT_NOT_SIGNER).
    public init(key: any Signer, name: String, certificate: Certificate? = nil, embedCertificate: Bool = false,
                encoding: Encoding = .compact) throws(QRCertError) {
        let trimmed = name.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200 else {
            throw QRCertError(.usage, "ISSUER_BAD_NAME", "issuer name must be 1 to 200 bytes")
        }
        // The verifier shows `iss` on every card: it must not carry anything that rewrites a screen.
        guard !DisplayText.containsUnsafe(trimmed) else {
            throw QRCertError(.usage, "ISSUER_BAD_NAME", "issuer name must not hold control or bidi formatting characters")
        }
        if let certificate {
            guard certificate.publicKey.identity == key.publicKey.identity else {
                throw QRCertError(.key, "CERT_KEY_MISMATCH",
                                  "the signer certificate (kid \(Hex.encode(certificate.keyID))) holds another public key than the signing key (kid \(Hex.encode(key.publicKey.keyID)))",
                                  hint: "give the certificate issued for this key")
            }
            // Verifiers refuse credentials signed under a CA certificate or one without digitalSignature.
            if let problem = certificate.signerProblem {
                throw QRCertError(.key, "CERT_NOT_SIGNER", "signer certificate \(certificate.subject) cannot sign payloads: \(problem)",
                                  hint: "give the document signer certificate issued for this key, not its CA's")
            }
        }
        self.key = key
        self.name = trimmed
        self.certificate = certificate
        self.embedsCertificate = embedCertificate && certificate != nil
        self.keyID = certificate?.keyID ?? key.publicKey.keyID
        self.encoding = encoding
    }

    /// Why the signer certificate does not cover `credential`'s window (CERT_NOT_COVERING), or nil when it does
    /// or there is no certificate: verifiers refuse a credential issued before the certificate's notBefore or
    /// expiring after its notAfter, so issuing one would ship a code that never verifies.
    public func certificateProblem(_ credential: Credential) -> (field: String, error: QRCertError)? {
        guard let certificate, let validFrom = credential.validFrom else { return nil }
        if validFrom < certificate.notBefore || validFrom > certificate.notAfter {
            return (credential.profile.validFrom, QRCertError(
                .records, "CERT_NOT_COVERING",
                "issued at \(Timestamp.iso(validFrom)), outside the signer certificate's validity \(Timestamp.iso(certificate.notBefore)) to \(Timestamp.iso(certificate.notAfter))"))
        }
        guard let validUntil = credential.validUntil else { return nil }
        if validUntil > certificate.notAfter {
            return (credential.profile.validUntil ?? credential.profile.validFrom, QRCertError(
                .records, "CERT_NOT_COVERING",
                "expires at \(Timestamp.iso(validUntil)), after the signer certificate's notAfter \(Timestamp.iso(certificate.notAfter))"))
        }
        return nil
    }

    /// One issued credential.
    public struct Issued: Sendable {
        /// The QR text.
        public let payload: String
        /// The certificate id (`cti`).
        public let certificateID: [UInt8]
        /// The claims signed (under `QC2:` without the `nbf` and `cti` a verifier derives).
        public let claims: CWTClaims
    }

    /// The claims for `credential` (docs/FORMAT.md §4): deterministic, so an Ed25519 payload is reproducible byte for byte.
    public func claims(for credential: Credential) throws(QRCertError) -> CWTClaims {
        if encoding == .compact { return try CompactCredential.claims(for: credential, issuer: name, specimen: specimen) }
        guard let validFrom = credential.validFrom else {
            throw QRCertError(.records, "REC_MISSING_FIELD", "\(credential.profile.validFrom): required value is missing")
        }
        var content = [CBORPair(.int(1), .text(credential.profile.type)), CBORPair(.int(2), credential.cbor)]
        if specimen { content.append(CBORPair(.int(SpecimenPolicy.key), .bool(true))) }
        return CWTClaims(issuer: name, expiresAt: credential.validUntil, notBefore: validFrom, issuedAt: validFrom,
                         certificateID: Self.certificateID(keyID: keyID, type: credential.profile.type, id: credential.id, issuedAt: validFrom),
                         others: [CBORPair(.int(CWTClaims.Key.credential), .map(content))])
    }

    /// Signs `credential` and checks the signature with the public half before returning it.
    public func issue(_ credential: Credential) throws(QRCertError) -> Issued {
        let claims = try claims(for: credential)
        var message = unsignedMessage(claims)
        let toBeSigned = message.toBeSigned()
        message.signature = try key.sign(toBeSigned)
        // Verify right after signing (as minisign does): a bad key or a bug never ships.
        guard try key.publicKey.verify(message.signature, of: toBeSigned, algorithm: key.algorithm) else {
            throw QRCertError(.sign, "SIGN_SELF_CHECK", "signature over record \(credential.id) did not verify with the public key")
        }
        return Issued(payload: Payload.encode(message, prefix: encoding.prefix),
                      certificateID: claims.certificateID ?? certificateID(for: credential) ?? [], claims: claims)
    }

    /// The QR text `issue(credential)` returns, but with every signature byte 0xFF, without signing; nil under
    /// `QC1:`, whose zlib stream makes the length depend on the signature's value. Under `QC2:` nothing is compressed
    /// and the signature's length is fixed (`Signer.signatureLength`), so this text is exactly as long as the
    /// signed payload and differs from it only in the Base45 characters that carry the signature.
    public func placeholderPayload(for credential: Credential) throws(QRCertError) -> String? {
        guard encoding == .compact else { return nil }
        var message = unsignedMessage(try claims(for: credential))
        // 0xFF pairs are Base45 letters ("FGW"): the placeholder adds no digit run to the QR splitter's input.
        message.signature = [UInt8](repeating: 0xFF, count: key.signatureLength)
        return Payload.encode(message, prefix: encoding.prefix)
    }

    /// The COSE_Sign1 carrying `claims`, before its signature: alg and kid protected.
    private func unsignedMessage(_ claims: CWTClaims) -> CoseSign1 {
        let protected = [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                         CBORPair(.int(CoseSign1.kidLabel), .bytes(keyID))]
        // x5chain (RFC 9360 §2) goes unprotected: it only helps a verifier find a key it must still chain to a trusted CA.
        let unprotected = embedsCertificate ? certificate.map { [CBORPair(.int(CoseSign1.x5chainLabel), .bytes($0.derBytes))] } ?? [] : []
        return CoseSign1(protectedHeader: protected, unprotectedHeader: unprotected, payload: CBOREncoder.encode(claims.encoded()))
    }

    /// The `cti` this issuer gives `credential` (docs/FORMAT.md §4.6), without signing; nil without a `valid_from` date.
    public func certificateID(for credential: Credential) -> [UInt8]? {
        credential.validFrom.map { Self.certificateID(keyID: keyID, type: credential.profile.type, id: credential.id, issuedAt: $0) }
    }

    /// `cti` = first 8 bytes of SHA-256("qrcert-cti-v1" 0 kid 0 type 0 id 0 iat): unique per key, type, record and issue date.
    static func certificateID(keyID: [UInt8], type: String, id: String, issuedAt: Int64) -> [UInt8] {
        // One buffer, not an array per piece: the verifier recomputes the cti of every QC2 payload.
        let time = String(issuedAt)
        var input: [UInt8] = []
        input.reserveCapacity(18 + keyID.count + type.utf8.count + id.utf8.count + time.utf8.count)
        input.append(contentsOf: "qrcert-cti-v1".utf8)
        input.append(0)
        input.append(contentsOf: keyID)
        input.append(0)
        input.append(contentsOf: type.utf8)
        input.append(0)
        input.append(contentsOf: id.utf8)
        input.append(0)
        input.append(contentsOf: time.utf8)
        return Array(Digest.sha256(input).prefix(8))
    }
}

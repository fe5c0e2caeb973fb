import QRCertCrypto
import QRCertFormat

/// Signs credentials into QR payload text. Thread-safe: one issuer serves every worker.
public struct Issuer: Sendable {
    /// The signing key.
    public let key: PrivateKey
    /// `iss`, the issuing authority's name as printed.
    public let name: String
    /// Key id placed in the protected header.
    public let keyID: [UInt8]
    /// Whether every credential is signed as a specimen (docs/FORMAT.md §4.5): training cards and samples,
    /// which verifiers show as SPECIMEN and never accept (`SpecimenPolicy`).
    public var specimen = false

    /// An issuer with `key` named `name`.
    public init(key: PrivateKey, name: String) throws(QRCertError) {
        let trimmed = name.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200 else {
            throw QRCertError(.usage, "ISSUER_BAD_NAME", "issuer name must be 1 to 200 bytes")
        }
        // The verifier shows `iss` on every card: it must not carry anything that rewrites a screen.
        guard !DisplayText.containsUnsafe(trimmed) else {
            throw QRCertError(.usage, "ISSUER_BAD_NAME", "issuer name must not hold control or bidi formatting characters")
        }
        self.key = key
        self.name = trimmed
        self.keyID = key.publicKey.keyID
    }

    /// One issued credential.
    public struct Issued: Sendable {
        /// The QR text.
        public let payload: String
        /// The certificate id (`cti`).
        public let certificateID: [UInt8]
        /// The claims signed.
        public let claims: CWTClaims
    }

    /// The claims for `credential` (docs/FORMAT.md §4): deterministic, so an Ed25519 payload is reproducible byte for byte.
    public func claims(for credential: Credential) throws(QRCertError) -> CWTClaims {
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
        let protected = [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                         CBORPair(.int(CoseSign1.kidLabel), .bytes(keyID))]
        var message = CoseSign1(protectedHeader: protected, payload: CBOREncoder.encode(claims.encoded()))
        let toBeSigned = message.toBeSigned()
        message.signature = try key.sign(toBeSigned)
        // Verify right after signing (as minisign does): a bad key or a bug never ships.
        guard try key.publicKey.verify(message.signature, of: toBeSigned, algorithm: key.algorithm) else {
            throw QRCertError(.sign, "SIGN_SELF_CHECK", "signature over record \(credential.id) did not verify with the public key")
        }
        return Issued(payload: Payload.encode(message), certificateID: claims.certificateID ?? [], claims: claims)
    }

    /// The `cti` this issuer gives `credential` (docs/FORMAT.md §4.6), without signing; nil without a `valid_from` date.
    public func certificateID(for credential: Credential) -> [UInt8]? {
        credential.validFrom.map { Self.certificateID(keyID: keyID, type: credential.profile.type, id: credential.id, issuedAt: $0) }
    }

    /// `cti` = first 8 bytes of SHA-256("qrcert-cti-v1" 0 kid 0 type 0 id 0 iat): unique per key, type, record and issue date.
    static func certificateID(keyID: [UInt8], type: String, id: String, issuedAt: Int64) -> [UInt8] {
        var input = Array("qrcert-cti-v1".utf8) + [0] + keyID + [0]
        input += Array(type.utf8) + [0] + Array(id.utf8) + [0] + Array(String(issuedAt).utf8)
        return Array(Digest.sha256(input).prefix(8))
    }
}

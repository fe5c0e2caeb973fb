internal import COpenSSL
import QRCertFormat

/// A public key (SubjectPublicKeyInfo) usable to verify; immutable and shareable across threads.
public final class PublicKey: Sendable {
    let key: EVPKey
    /// The SubjectPublicKeyInfo, DER-encoded.
    public let spkiDER: [UInt8]
    /// The key in PEM, `-----BEGIN PUBLIC KEY-----`: `spkiDER` in base64.
    public var pemText: String { CanonicalSPKI.pem(spkiDER) }
    /// kid = first 8 bytes of SHA-256 of the SPKI DER
    public let keyID: [UInt8]
    /// The key's identity (docs/FORMAT.md §5.1): its SPKI in one canonical DER form (an EC key with a named
    /// curve and an uncompressed point), equal for every encoding of the same key. Equal to `spkiDER` for the
    /// keys qrcert writes.
    public let identity: [UInt8]
    /// First 8 bytes of SHA-256 of `identity`: the kid of the key's canonical form (equal to `keyID` for keys qrcert writes).
    public let identityID: [UInt8]
    /// The algorithms this key may verify: P-256 -> [.es256], P-384 -> [.es384], RSA of at least
    /// 2048 bits -> [.ps256], Ed25519 -> [.edDSA]; other keys -> []
    public let algorithms: [SignatureAlgorithm]
    /// "P-256", "P-384", "RSA-2048", "Ed25519"; libcrypto's name for other keys.
    public let typeDescription: String
    /// The signature length for RSA (the modulus size) and Ed25519; 0 for ECDSA, whose width comes from the algorithm.
    let signatureCount: Int
    /// Initialised for this key's algorithm (RSA-PSS, Ed25519) and only ever copied, never used, so sharing it is safe.
    nonisolated(unsafe) private let verifyTemplate: DigestContext?

    /// Wraps a key; `spki` is its DER when the caller already has it (kept byte for byte).
    init(key: EVPKey, spki: [UInt8]? = nil) throws(QRCertError) {
        self.key = key
        if let spki {
            spkiDER = spki
        } else {
            spkiDER = try key.spkiDER(stage: .key, code: "KEY_OPENSSL")
        }
        keyID = Array(Digest.sha256(spkiDER).prefix(8))
        // An SPKI in the canonical form of its key's kind is its identity as it stands (nearly every key).
        if let form = CanonicalSPKI.Form(key.kind), CanonicalSPKI.form(of: spkiDER) == form {
            identity = spkiDER
        } else {
            identity = try key.canonicalSPKIDER(stage: .key, code: "KEY_OPENSSL")
        }
        identityID = identity == spkiDER ? keyID : Array(Digest.sha256(identity).prefix(8))
        algorithms = key.algorithms
        typeDescription = key.typeDescription
        // ECDSA keys verify through each thread's own contexts (`VerifyContexts`), not a template.
        if let algorithm = key.algorithms.first, algorithm.ecdsaScalarWidth == nil {
            verifyTemplate = try DigestContext(
                signing: false, key: key, algorithm: algorithm, stage: .signature, code: "SIGNATURE_OPENSSL")
        } else {
            verifyTemplate = nil
        }
        switch key.kind {
        case .ed25519: signatureCount = 64
        case .rsa: signatureCount = Int(key.withPointer { EVP_PKEY_get_size($0) })
        default: signatureCount = 0
        }
    }

    /// A key from PEM text holding `-----BEGIN PUBLIC KEY-----`.
    public static func pem(_ text: String) throws(QRCertError) -> PublicKey {
        // A strict PEM of a canonical SPKI is built from its bytes; anything else is read by libcrypto.
        if let der = CanonicalSPKI.der(pem: text), let key = try built(der) { return key }
        return try decoded(pem: text)
    }

    /// `pem(text)` by libcrypto's PEM reader and decoder alone.
    static func decoded(pem text: String) throws(QRCertError) -> PublicKey {
        let bio = try MemoryBIO(reading: text, stage: .key, code: "KEY_BAD_PEM")
        guard let pkey = PEM_read_bio_PUBKEY(bio.bio, nil, nil, nil) else {
            LibCrypto.clearErrors()
            throw QRCertError(
                .key, "KEY_BAD_PEM", "no public key found in PEM text",
                hint: "expected a block starting with -----BEGIN PUBLIC KEY-----")
        }
        return try PublicKey(key: EVPKey(taking: pkey))
    }

    /// A key from SubjectPublicKeyInfo DER; trailing bytes are rejected.
    public static func der(_ spki: [UInt8]) throws(QRCertError) -> PublicKey {
        // The canonical forms are built from their bytes; everything else, and any they fail on, is decoded.
        if let key = try built(spki) { return key }
        return try decoded(der: spki)
    }

    /// The key of `spki` built from its bytes (`CanonicalSPKI`), when it is in a canonical form libcrypto accepts.
    private static func built(_ spki: [UInt8]) throws(QRCertError) -> PublicKey? {
        guard let form = CanonicalSPKI.form(of: spki), let made = CanonicalSPKI.key(spki, form: form) else { return nil }
        return try PublicKey(key: EVPKey(taking: made), spki: spki)
    }

    /// `der(spki)` by libcrypto's decoder alone.
    static func decoded(der spki: [UInt8]) throws(QRCertError) -> PublicKey {
        let parsed: OpaquePointer? = spki.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            guard let key = d2i_PUBKEY(nil, &cursor, buffer.count) else { return nil }
            guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let parsed else {
            LibCrypto.clearErrors()
            throw QRCertError(.key, "KEY_BAD_DER", "public key is not a DER SubjectPublicKeyInfo")
        }
        return try PublicKey(key: EVPKey(taking: parsed), spki: spki)
    }

    /// Verifies `signature` (COSE form: raw r||s of exact width for ECDSA; RSA-PSS with SHA-256,
    /// MGF1-SHA-256, salt length 32; pure Ed25519) over `message`.
    ///
    /// Returns false for a wrong signature (including wrong length); throws only if `algorithm`
    /// does not fit this key (code KEY_ALG_MISMATCH, stage .key) or OpenSSL fails internally
    /// (SIGNATURE_OPENSSL, stage .signature).
    public func verify(
        _ signature: [UInt8], of message: [UInt8], algorithm: SignatureAlgorithm
    ) throws(QRCertError) -> Bool {
        try verify(signature[...], algorithm: algorithm) { update in message.withUnsafeBytes(update) }
    }

    /// As `verify(_:of:algorithm:)`, for a message that `message` hands over in pieces (to `update`, in order): a
    /// COSE Sig_structure is hashed from its parts where they lie, never built. ECDSA checks use the calling thread's
    /// own contexts (`VerifyContexts`), set up once per key and thread.
    public func verify(
        _ signature: ArraySlice<UInt8>, algorithm: SignatureAlgorithm,
        message: (_ update: (UnsafeRawBufferPointer) -> Void) -> Void
    ) throws(QRCertError) -> Bool {
        guard algorithms.contains(algorithm) else {
            throw QRCertError(
                .key, "KEY_ALG_MISMATCH", "\(algorithm.name) signature cannot be checked with a \(typeDescription) key",
                hint: algorithms.isEmpty
                    ? "qrcert cannot verify with a \(typeDescription) key"
                    : "this key verifies \(algorithms.map(\.name).joined(separator: ", ")) only")
        }
        if let width = algorithm.ecdsaScalarWidth {
            guard signature.count == 2 * width else { return false }
            let md = try LibCrypto.notNull(
                width == 32 ? MessageDigest.sha256 : MessageDigest.sha384, "EVP_MD_fetch", .signature, "SIGNATURE_OPENSSL")
            return try withUnsafeTemporaryAllocation(byteCount: ECDSASignature.maxDERCount(width: width), alignment: 1) {
                (der) throws(QRCertError) -> Bool in
                let count = signature.withUnsafeBytes { ECDSASignature.der(fromRaw: $0, width: width, into: der) }
                return try VerifyContexts.current.verifyECDSA(
                    key: self, md: md, der: UnsafeRawBufferPointer(rebasing: der[..<count]), message: message)
            }
        }
        guard signature.count == signatureCount else { return false }
        guard let verifyTemplate else { return false }  // unreachable: algorithms is empty without one
        // Ed25519 signs the message itself (no prehash) in one call, so the pieces are joined; RSA-PSS goes the same way.
        var joined: [UInt8] = []
        message { joined.append(contentsOf: $0) }
        let context = try DigestContext(copying: verifyTemplate)
        let rc: Int32 = joined.withNonNullBytes { text, textCount in
            signature.withUnsafeBufferPointer {
                EVP_DigestVerify(context.pointer, $0.baseAddress, $0.count, text, textCount)
            }
        }
        guard rc == 1 else {
            // 0 is a wrong signature, a negative value a malformed one: both answer "no".
            LibCrypto.clearErrors()
            return false
        }
        return true
    }
}

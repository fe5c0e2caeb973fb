internal import COpenSSL
import QRCertFormat

/// A private key able to sign; thread-safe (each call uses its own `EVP_MD_CTX`).
public final class PrivateKey: Sendable {
    private let key: EVPKey
    /// The public half, carrying no private material.
    public let publicKey: PublicKey
    /// The one algorithm it signs with: P-256 -> es256, P-384 -> es384, RSA -> ps256, Ed25519 -> edDSA.
    public let algorithm: SignatureAlgorithm
    /// Room for one signature as libcrypto writes it (DER for ECDSA).
    private let signatureCapacity: Int
    /// Initialised for `algorithm` and only ever copied, never used, so sharing it is safe.
    nonisolated(unsafe) private let signTemplate: DigestContext

    private init(key: EVPKey) throws(QRCertError) {
        guard let algorithm = key.algorithms.first else {
            throw QRCertError(
                .key, "KEY_ALG_UNSUPPORTED", "qrcert cannot sign with a \(key.typeDescription) key",
                hint: "use a P-256, P-384, Ed25519 or RSA (2048 bits or more) key")
        }
        self.key = key
        self.algorithm = algorithm
        publicKey = try PublicKey.der(key.spkiDER(stage: .key, code: "KEY_OPENSSL"))
        signatureCapacity = Int(key.withPointer { EVP_PKEY_get_size($0) })
        guard signatureCapacity > 0 else { throw LibCrypto.failure("EVP_PKEY_get_size", .key, "KEY_OPENSSL") }
        signTemplate = try DigestContext(signing: true, key: key, algorithm: algorithm, stage: .sign, code: "SIGN_OPENSSL")
    }

    /// New key: .es256 -> P-256, .es384 -> P-384, .edDSA -> Ed25519, .ps256 -> RSA-3072.
    public static func generate(_ algorithm: SignatureAlgorithm) throws(QRCertError) -> PrivateKey {
        let stage = QRCertError.Stage.key, code = "KEY_OPENSSL"
        let context: KeyContext
        switch algorithm {
        case .es256, .es384:
            context = try KeyContext(name: "EC", stage: stage, code: code)
            try LibCrypto.checkPositive(EVP_PKEY_keygen_init(context.pointer), "EVP_PKEY_keygen_init", stage, code)
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_group_name(context.pointer, algorithm == .es256 ? "P-256" : "P-384"),
                "EVP_PKEY_CTX_set_group_name", stage, code)
        case .edDSA:
            context = try KeyContext(name: "ED25519", stage: stage, code: code)
            try LibCrypto.checkPositive(EVP_PKEY_keygen_init(context.pointer), "EVP_PKEY_keygen_init", stage, code)
        case .ps256:
            context = try KeyContext(name: "RSA", stage: stage, code: code)
            try LibCrypto.checkPositive(EVP_PKEY_keygen_init(context.pointer), "EVP_PKEY_keygen_init", stage, code)
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_rsa_keygen_bits(context.pointer, 3072), "EVP_PKEY_CTX_set_rsa_keygen_bits", stage, code)
        }
        var made: OpaquePointer?
        try LibCrypto.checkPositive(EVP_PKEY_generate(context.pointer, &made), "EVP_PKEY_generate", stage, code)
        return try PrivateKey(key: EVPKey(taking: LibCrypto.notNull(made, "EVP_PKEY_generate", stage, code)))
    }

    /// PKCS#8 PEM, encrypted or not (traditional PEM forms are read too).
    ///
    /// `passphrase` nil + encrypted file -> KEY_PASSPHRASE_REQUIRED (never prompts); wrong
    /// passphrase -> KEY_BAD_PASSPHRASE; not a key -> KEY_BAD_PEM; a key qrcert cannot sign with
    /// -> KEY_ALG_UNSUPPORTED.
    public static func pem(_ text: String, passphrase: [UInt8]?) throws(QRCertError) -> PrivateKey {
        let bio = try MemoryBIO(reading: text, stage: .key, code: "KEY_BAD_PEM")
        let request = PassphraseRequest(passphrase)
        let parsed = withExtendedLifetime(request) {
            // Always a callback: without one libcrypto falls back to prompting on the terminal.
            PEM_read_bio_PrivateKey(bio.bio, nil, { buffer, size, _, user in
                guard let user else { return -1 }
                let request = Unmanaged<PassphraseRequest>.fromOpaque(user).takeUnretainedValue()
                request.asked = true
                guard let passphrase = request.passphrase, let buffer, passphrase.count <= Int(size) else {
                    return -1
                }
                passphrase.withUnsafeBytes {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
                }
                return Int32(passphrase.count)
            }, Unmanaged.passUnretained(request).toOpaque())
        }
        guard let parsed else {
            LibCrypto.clearErrors()
            if request.asked && passphrase == nil {
                throw QRCertError(
                    .key, "KEY_PASSPHRASE_REQUIRED", "private key is encrypted and no passphrase was given",
                    hint: "give the passphrase for the key")
            }
            if request.asked {
                throw QRCertError(.key, "KEY_BAD_PASSPHRASE", "wrong passphrase for the private key")
            }
            let isPublic = text.contains("-----BEGIN PUBLIC KEY-----") || text.contains("-----BEGIN CERTIFICATE-----")
            throw QRCertError(
                .key, "KEY_BAD_PEM", "no private key found in PEM text",
                hint: isPublic
                    ? "this is a public key or certificate; signing needs the private key"
                    : "expected a block starting with -----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----")
        }
        return try PrivateKey(key: EVPKey(taking: parsed))
    }

    /// PKCS#8 PEM; encrypted with AES-256-CBC (PBES2 with scrypt, N=2^14, r=8, p=1) when a
    /// passphrase is given. An empty passphrase is refused (KEY_PASSPHRASE_EMPTY).
    public func pemText(passphrase: [UInt8]?) throws(QRCertError) -> String {
        let stage = QRCertError.Stage.key, code = "KEY_OPENSSL"
        let info = try PrivateKeyInfo(key: key)
        let bio = try MemoryBIO(stage: stage, code: code)
        guard let passphrase else {
            try LibCrypto.check(
                PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio.bio, info.pointer), "PEM_write_bio_PKCS8_PRIV_KEY_INFO", stage, code)
            return bio.text()
        }
        guard !passphrase.isEmpty else {
            throw QRCertError(.key, "KEY_PASSPHRASE_EMPTY", "empty passphrase for the private key")
        }
        // scrypt N=2^14, r=8, p=1 is OpenSSL's own default and stays inside its 32 MiB scrypt memory limit.
        let scheme = try LibCrypto.notNull(
            PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nil, 0, nil, 1 << 14, 8, 1), "PKCS5_pbe2_set_scrypt", stage, code)
        let sealed = passphrase.withUnsafeBytes {
            PKCS8_set0_pbe($0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count), info.pointer, scheme)
        }
        guard let sealed else {
            X509_ALGOR_free(scheme)  // PKCS8_set0_pbe takes the scheme only on success
            throw LibCrypto.failure("PKCS8_set0_pbe", stage, code)
        }
        defer { X509_SIG_free(sealed) }
        try LibCrypto.check(PEM_write_bio_PKCS8(bio.bio, sealed), "PEM_write_bio_PKCS8", stage, code)
        return bio.text()
    }

    /// COSE-form signature over `message`: r||s of fixed width for ECDSA, RSASSA-PSS (SHA-256,
    /// MGF1-SHA-256, 32-byte salt) or pure Ed25519. Throws SIGN_OPENSSL (stage .sign) only if libcrypto fails.
    public func sign(_ message: [UInt8]) throws(QRCertError) -> [UInt8] {
        let stage = QRCertError.Stage.sign, code = "SIGN_OPENSSL"
        let context = try DigestContext(copying: signTemplate)
        var signature = [UInt8](repeating: 0, count: signatureCapacity)
        var count = signature.count
        let rc = message.withNonNullBytes { text, textCount in
            EVP_DigestSign(context.pointer, &signature, &count, text, textCount)
        }
        try LibCrypto.check(rc, "EVP_DigestSign", stage, code)
        guard let width = algorithm.ecdsaScalarWidth else {
            signature.removeLast(signature.count - count)
            return signature
        }
        guard let raw = signature.withUnsafeBytes({
            ECDSASignature.raw(fromDER: UnsafeRawBufferPointer(rebasing: $0[0..<count]), width: width)
        }) else {
            throw QRCertError(stage, code, "libcrypto returned a malformed ECDSA signature")
        }
        return raw
    }
}

/// What the PEM passphrase callback was given and whether libcrypto asked for it.
private final class PassphraseRequest {
    let passphrase: [UInt8]?
    var asked = false
    init(_ passphrase: [UInt8]?) { self.passphrase = passphrase }
}

/// Owns one `PKCS8_PRIV_KEY_INFO`.
private final class PrivateKeyInfo {
    let pointer: OpaquePointer

    init(key: EVPKey) throws(QRCertError) {
        pointer = try LibCrypto.notNull(key.withPointer { EVP_PKEY2PKCS8($0) }, "EVP_PKEY2PKCS8", .key, "KEY_OPENSSL")
    }

    deinit { PKCS8_PRIV_KEY_INFO_free(pointer) }
}

internal import COpenSSL
import QRCertFormat

/// Owns one `EVP_MD_CTX` for a single sign or verify call.
///
/// One per call, never shared: that is what makes a shared `EVP_PKEY` safe across threads. Each RSA-PSS or
/// Ed25519 key keeps one initialised context as a template that calls copy and never use directly: in OpenSSL 3
/// a fresh init fetches the algorithm again on every call, which costs about a third of an ECDSA verify.
/// (ECDSA keys verify through each thread's own contexts instead: `VerifyContexts`.)
final class DigestContext {
    let pointer: OpaquePointer
    private let stage: QRCertError.Stage
    private let code: String

    /// A context for signing (`signing: true`) or verifying with `algorithm` and `key`.
    ///
    /// PS256 is RSASSA-PSS with SHA-256, MGF1-SHA-256 and a salt of exactly 32 bytes (RFC 8230 section 2).
    init(
        signing: Bool, key: EVPKey, algorithm: SignatureAlgorithm, stage: QRCertError.Stage, code: String
    ) throws(QRCertError) {
        self.stage = stage
        self.code = code
        pointer = try LibCrypto.notNull(EVP_MD_CTX_new(), "EVP_MD_CTX_new", stage, code)
        let digest: OpaquePointer?
        switch algorithm {
        case .es256, .ps256: digest = try LibCrypto.notNull(MessageDigest.sha256, "EVP_MD_fetch", stage, code)
        case .es384: digest = try LibCrypto.notNull(MessageDigest.sha384, "EVP_MD_fetch", stage, code)
        case .edDSA: digest = nil  // pure EdDSA hashes internally (RFC 8032)
        }
        var keyContext: OpaquePointer?
        try key.withPointer { (pkey) throws(QRCertError) in
            if signing {
                try LibCrypto.check(
                    EVP_DigestSignInit(pointer, &keyContext, digest, nil, pkey), "EVP_DigestSignInit", stage, code)
            } else {
                try LibCrypto.check(
                    EVP_DigestVerifyInit(pointer, &keyContext, digest, nil, pkey), "EVP_DigestVerifyInit", stage, code)
            }
        }
        if algorithm == .ps256 {
            let pss = try LibCrypto.notNull(keyContext, "EVP_DigestSignInit", stage, code)
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_rsa_padding(pss, RSA_PKCS1_PSS_PADDING), "EVP_PKEY_CTX_set_rsa_padding", stage, code)
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_rsa_mgf1_md(pss, digest), "EVP_PKEY_CTX_set_rsa_mgf1_md", stage, code)
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pss, 32), "EVP_PKEY_CTX_set_rsa_pss_saltlen", stage, code)
        }
    }

    /// A fresh context with the key, digest and padding of `template`, which is only read.
    init(copying template: DigestContext) throws(QRCertError) {
        stage = template.stage
        code = template.code
        pointer = try LibCrypto.notNull(EVP_MD_CTX_new(), "EVP_MD_CTX_new", stage, code)
        try LibCrypto.check(EVP_MD_CTX_copy_ex(pointer, template.pointer), "EVP_MD_CTX_copy_ex", stage, code)
    }

    deinit { EVP_MD_CTX_free(pointer) }
}

extension Array where Element == UInt8 {
    /// The bytes with a non-null base address even when empty: some libcrypto one-shot calls reject NULL.
    func withNonNullBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if isEmpty {
            var zero: UInt8 = 0
            return body(&zero, 0)
        }
        return withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
    }
}

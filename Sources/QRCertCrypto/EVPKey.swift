internal import COpenSSL
import QRCertFormat

/// Owns one `EVP_PKEY` and frees it in `deinit`.
///
/// `@unchecked Sendable`: the key is never mutated after creation, and libcrypto allows one key to
/// be used by many threads at once as long as each operation has its own context.
final class EVPKey: @unchecked Sendable {
    /// What kind of key this is, as far as qrcert cares.
    enum Kind: Equatable {
        case p256, p384, ed25519
        case rsa(bits: Int)
        case other(String)
    }

    private let pointer: OpaquePointer
    /// Determined once at load.
    let kind: Kind

    /// Takes ownership of `pointer`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
        kind = Self.kind(of: pointer)
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Lends the key to `body`; the pointer must not escape it.
    func withPointer<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try body(pointer)
    }

    /// The algorithms a key of this kind signs or verifies with; RSA below 2048 bits gets none.
    var algorithms: [SignatureAlgorithm] {
        switch kind {
        case .p256: [.es256]
        case .p384: [.es384]
        case .ed25519: [.edDSA]
        case .rsa(let bits): bits >= 2048 ? [.ps256] : []
        case .other: []
        }
    }

    /// "P-256", "P-384", "RSA-2048", "Ed25519", or libcrypto's name for anything else.
    var typeDescription: String {
        switch kind {
        case .p256: "P-256"
        case .p384: "P-384"
        case .ed25519: "Ed25519"
        case .rsa(let bits): "RSA-\(bits)"
        case .other(let name): name
        }
    }

    /// The key's SubjectPublicKeyInfo in one canonical form, so that one key has one identity however it was
    /// encoded: an EC key with its named curve and its point uncompressed (an SPKI may carry explicit curve
    /// parameters or a compressed point for the same key). Other kinds have one DER form already.
    func canonicalSPKIDER(stage: QRCertError.Stage, code: String) throws(QRCertError) -> [UInt8] {
        guard kind == .p256 || kind == .p384 else { return try spkiDER(stage: stage, code: code) }
        let copy = try EVPKey(taking: LibCrypto.notNull(EVP_PKEY_dup(pointer), "EVP_PKEY_dup", stage, code))
        try LibCrypto.check(EVP_PKEY_set_utf8_string_param(copy.pointer, "point-format", "uncompressed"),
                            "EVP_PKEY_set_utf8_string_param", stage, code)
        try LibCrypto.check(EVP_PKEY_set_utf8_string_param(copy.pointer, "encoding", "named_curve"),
                            "EVP_PKEY_set_utf8_string_param", stage, code)
        return try copy.spkiDER(stage: stage, code: code)
    }

    /// The SubjectPublicKeyInfo DER of the key (the public half only, also for a private key).
    func spkiDER(stage: QRCertError.Stage, code: String) throws(QRCertError) -> [UInt8] {
        let count = i2d_PUBKEY(pointer, nil)
        try LibCrypto.checkPositive(count, "i2d_PUBKEY", stage, code)
        var out = [UInt8](repeating: 0, count: Int(count))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        guard written == count else { throw LibCrypto.failure("i2d_PUBKEY", stage, code) }
        return out
    }

    private static func kind(of key: OpaquePointer) -> Kind {
        if EVP_PKEY_is_a(key, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(key, "RSA") == 1 { return .rsa(bits: Int(EVP_PKEY_get_bits(key))) }
        if EVP_PKEY_is_a(key, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else {
                LibCrypto.clearErrors()
                return .other("EC")
            }
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch group {
            case "prime256v1", "P-256", "secp256r1": return .p256
            case "secp384r1", "P-384": return .p384
            default: return .other("EC \(group)")
            }
        }
        guard let name = EVP_PKEY_get0_type_name(key) else { return .other("unknown") }
        return .other(String(cString: name))
    }
}

/// Owns one `EVP_PKEY_CTX` used for key generation.
final class KeyContext {
    let pointer: OpaquePointer

    /// A context for keys of libcrypto type `name` ("EC", "ED25519", "RSA").
    init(name: String, stage: QRCertError.Stage, code: String) throws(QRCertError) {
        pointer = try LibCrypto.notNull(
            EVP_PKEY_CTX_new_from_name(nil, name, nil), "EVP_PKEY_CTX_new_from_name", stage, code)
    }

    deinit { EVP_PKEY_CTX_free(pointer) }
}

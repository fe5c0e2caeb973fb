internal import COpenSSL
import Glibc
import QRCertFormat

/// The libcrypto contexts one thread keeps for checking ECDSA signatures: one `EVP_PKEY_CTX` per key, initialised
/// for verifying once, and one `EVP_MD_CTX` for the digest, reused for every message.
///
/// Initialising a context (`EVP_DigestVerifyInit`, or copying an initialised one) fetches or duplicates OpenSSL 3's
/// provider state, which cost a verifier about 8,000 instructions per payload beside a 830,000-instruction ECDSA check
/// (docs/PERFORMANCE.md). A thread's own contexts are never shared, which keeps a shared `EVP_PKEY` safe.
/// Each entry holds its key, so a freed key's address never finds another key's context.
final class VerifyContexts {
    private struct Entry {
        let key: PublicKey
        let context: OpaquePointer
    }

    /// Keys kept per thread: a server that reloads its trust list makes new keys, and the oldest then go.
    private static let capacity = 16
    private var entries: [Entry] = []
    /// The entry used last.
    private var last: Entry?
    /// The digest context, re-initialised for every message.
    private let digest: OpaquePointer?

    private init() {
        digest = EVP_MD_CTX_new()
    }

    deinit {
        for entry in entries { EVP_PKEY_CTX_free(entry.context) }
        EVP_MD_CTX_free(digest)
    }

    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        // The destructor runs when a thread ends without `CryptoThread.finish()`.
        let rc = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<VerifyContexts>.fromOpaque(pointer).release() }
        }
        precondition(rc == 0, "pthread_key_create failed with \(rc)")
        return key
    }()

    /// The calling thread's contexts, made on first use.
    static var current: VerifyContexts {
        if let pointer = pthread_getspecific(slot) {
            return Unmanaged<VerifyContexts>.fromOpaque(pointer).takeUnretainedValue()
        }
        let made = VerifyContexts()
        pthread_setspecific(slot, Unmanaged.passRetained(made).toOpaque())
        return made
    }

    /// Frees the calling thread's contexts, if it made any.
    static func finish() {
        guard let pointer = pthread_getspecific(slot) else { return }
        pthread_setspecific(slot, nil)
        Unmanaged<VerifyContexts>.fromOpaque(pointer).release()
    }

    /// Verifies the DER ECDSA signature `der` of the message `feed` gives, piece by piece, with `key` and the digest `md`.
    /// Returns false for a signature that does not verify; throws only when libcrypto fails to set a context up.
    func verifyECDSA(
        key: PublicKey, md: OpaquePointer, der: UnsafeRawBufferPointer,
        message feed: ((UnsafeRawBufferPointer) -> Void) -> Void
    ) throws(QRCertError) -> Bool {
        let context = try keyContext(key, md: md)
        let digest = try LibCrypto.notNull(digest, "EVP_MD_CTX_new", .signature, "SIGNATURE_OPENSSL")
        try LibCrypto.check(EVP_DigestInit_ex(digest, md, nil), "EVP_DigestInit_ex", .signature, "SIGNATURE_OPENSSL")
        var updated = true
        feed { piece in
            if piece.count > 0 && EVP_DigestUpdate(digest, piece.baseAddress, piece.count) != 1 { updated = false }
        }
        try LibCrypto.check(updated ? 1 : 0, "EVP_DigestUpdate", .signature, "SIGNATURE_OPENSSL")
        var hash: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &hash) { (out) throws(QRCertError) -> Bool in
            let bytes = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var length: UInt32 = 0
            try LibCrypto.check(EVP_DigestFinal_ex(digest, bytes, &length), "EVP_DigestFinal_ex", .signature, "SIGNATURE_OPENSSL")
            let rc = EVP_PKEY_verify(context, der.baseAddress?.assumingMemoryBound(to: UInt8.self), der.count, bytes, Int(length))
            guard rc == 1 else {
                // 0 is a wrong signature, a negative value a malformed one: both answer "no".
                LibCrypto.clearErrors()
                return false
            }
            return true
        }
    }

    /// The verify context of `key`, made and initialised on its first use by this thread.
    private func keyContext(_ key: PublicKey, md: OpaquePointer) throws(QRCertError) -> OpaquePointer {
        // A run of payloads is mostly signed by one key: the last one is tried first.
        if let last, last.key === key { return last.context }
        if let found = entries.first(where: { $0.key === key }) {
            last = found
            return found.context
        }
        let context = try key.key.withPointer { (pkey) throws(QRCertError) in
            try LibCrypto.notNull(EVP_PKEY_CTX_new(pkey, nil), "EVP_PKEY_CTX_new", .signature, "SIGNATURE_OPENSSL")
        }
        do throws(QRCertError) {
            try LibCrypto.check(EVP_PKEY_verify_init(context), "EVP_PKEY_verify_init", .signature, "SIGNATURE_OPENSSL")
            try LibCrypto.checkPositive(
                EVP_PKEY_CTX_set_signature_md(context, md), "EVP_PKEY_CTX_set_signature_md", .signature, "SIGNATURE_OPENSSL")
        } catch {
            EVP_PKEY_CTX_free(context)
            throw error
        }
        if entries.count == Self.capacity {
            last = nil
            EVP_PKEY_CTX_free(entries.removeFirst().context)
        }
        entries.append(Entry(key: key, context: context))
        last = entries.last
        return context
    }
}

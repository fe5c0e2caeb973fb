internal import COpenSSL

/// Message digests.
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let rc = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, MessageDigest.sha256, nil)
        }
        // Only an allocation failure inside libcrypto can make a one-shot SHA-256 fail.
        precondition(rc == 1 && length == 32, "libcrypto EVP_Digest failed: \(LibCrypto.drainErrors())")
        return out
    }
}

/// Digest implementations fetched once: an implicit fetch on every call is slow in OpenSSL 3.
enum MessageDigest {
    /// SHA-256; shared read-only, which OpenSSL allows across threads.
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA2-256", nil)
    /// SHA-384.
    nonisolated(unsafe) static let sha384: OpaquePointer? = EVP_MD_fetch(nil, "SHA2-384", nil)
}

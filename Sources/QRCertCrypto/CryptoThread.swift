internal import COpenSSL

/// The state libcrypto keeps for each thread (the random generators that make ECDSA nonces, the error queue), and
/// qrcert's own verify contexts (`VerifyContexts`).
public enum CryptoThread {
    /// Frees the calling thread's libcrypto state now. Left to the thread-exit destructor, it may still be
    /// freeing while the process exits, and LeakSanitizer then reports it: a worker pool calls this last, so
    /// nothing of its threads remains once it reports that they have ended (docs/HOSTILE.md).
    public static func finish() {
        VerifyContexts.finish()  // its contexts free into libcrypto's state, so before that goes
        OPENSSL_thread_stop()
    }
}

import QRCertFormat

/// The two kinds of signed list (docs/TRUST.md). The kind is the COSE content type in the protected
/// header, so one kind can never be passed off as the other even when the same key signs both.
public enum ListKind: String, Sendable, Equatable {
    /// The issuer keys an authority's root trusts.
    case trustList = "trust-list"
    /// Certificate ids suspended or revoked.
    case revocations

    /// COSE `content type` (header label 3) of this kind.
    var contentType: String { "application/vnd.qrcert.\(rawValue)+cbor" }

    /// Largest file accepted: 16 MiB for a trust list (thousands of keys with certificates), 512 MiB for a
    /// revocation list (about 29 million entries).
    public var maxBytes: Int { self == .trustList ? 16 << 20 : 512 << 20 }

    /// What a person calls it.
    public var noun: String { self == .trustList ? "trust list" : "revocation list" }

    /// Errors of a trust list are stage `trust`, of a revocation list stage `revocation`; codes are
    /// spelled out in full at each call so that they can be found with grep.
    func error(_ trustListCode: String, _ revocationsCode: String, _ message: String, hint: String? = nil) -> QRCertError {
        self == .trustList
            ? QRCertError(.trust, trustListCode, message, hint: hint)
            : QRCertError(.revocation, revocationsCode, message, hint: hint)
    }
}

/// Which list was used, for verdicts and output: kind, file, edition, dates, signer.
public struct ListSummary: Sendable, Equatable {
    /// Trust list or revocation list.
    public var kind: ListKind
    /// The file it was read from.
    public var source: String
    /// Its header.
    public var header: ListHeader
    /// Key id of the signer.
    public var signerKeyID: [UInt8]
    /// The authority (trust list) or issuer (revocation list) named in it.
    public var issuer: String
    /// `production` or `test` for a trust list; nil for a revocation list.
    public var environment: String?
    /// Keys or entries it holds.
    public var count: Int
    /// SHA-256 of the file.
    public var digest: [UInt8]

    /// Creates a summary.
    public init(kind: ListKind, source: String, header: ListHeader, signerKeyID: [UInt8], issuer: String,
                environment: String?, count: Int, digest: [UInt8]) {
        self.kind = kind
        self.source = source
        self.header = header
        self.signerKeyID = signerKeyID
        self.issuer = issuer
        self.environment = environment
        self.count = count
        self.digest = digest
    }
}

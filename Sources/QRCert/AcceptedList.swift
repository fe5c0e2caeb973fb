/// What a verifier remembers of the newest edition it accepted from one signer (docs/TRUST.md).
public struct AcceptedList: Sendable, Equatable {
    /// Its sequence number.
    public var sequence: UInt64
    /// SHA-256 of its file.
    public var digest: [UInt8]

    /// Creates a record.
    public init(sequence: UInt64, digest: [UInt8]) {
        self.sequence = sequence
        self.digest = digest
    }
}

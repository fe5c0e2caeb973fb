/// The signed lists a verifier consults besides its keys (docs/TRUST.md): the trust list its keys came
/// from and the revocation lists. Each verdict names them, so an answer can be traced to the editions used.
public struct SignedLists: Sendable {
    /// The trust list whose keys are in the trust store, if any.
    public var trustList: ListSummary?
    /// Revocation lists, each with the scope its signer gives it.
    public var revocations: [(list: RevocationList, source: String)] = []

    /// No lists.
    public init() {}

    /// Every list, the trust list first.
    public var summaries: [ListSummary] {
        (trustList.map { [$0] } ?? []) + revocations.map { $0.list.summary(source: $0.source) }
    }
}

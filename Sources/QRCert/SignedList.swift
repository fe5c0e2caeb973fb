import QRCertCrypto
import QRCertFormat

/// What trust lists and revocation lists share (docs/TRUST.md): the envelope, the header with its
/// edition, the signer and the file's digest. Making a new edition (`renew`), accepting one at a verifier
/// (`accept`) and remembering it (`acceptedSlot`, `AcceptedLists`) are written once, here, for both kinds.
public protocol SignedList: Sendable {
    /// Trust list or revocation list.
    static var kind: ListKind { get }
    /// Edition and dates.
    var header: ListHeader { get set }
    /// Key id of the signer (empty for a list not yet signed).
    var signerKeyID: [UInt8] { get }
    /// SHA-256 of the file it was read from (empty for a list not yet signed).
    var digest: [UInt8] { get }
    /// Keys (trust list) or entries (revocation list) it holds.
    var count: Int { get }
    /// Where a verifier remembers the newest edition it accepted from this list's signer, so that an
    /// older one is refused; set once the signature has been checked.
    var acceptedSlot: String { get }
    /// The file: a COSE_Sign1 by `key` over the body, its signature checked with the public half.
    func signed(with key: any QRCertCrypto.Signer) throws(QRCertError) -> [UInt8]
    /// Reads a list WITHOUT checking its signature, for `show` when no key is given.
    static func openUnverified(_ bytes: [UInt8], source: String) throws(QRCertError) -> Self
    /// Which list this is, for verdicts and output.
    func summary(source: String) -> ListSummary
}

extension SignedList {
    /// Makes this the next edition at `time`: a higher sequence, fresh dates (docs/TRUST.md, "Editions").
    public mutating func renew(_ edition: ListEdition, at time: Int64) throws(QRCertError) {
        header = try edition.next(after: header, at: time, kind: Self.kind)
    }

    /// Accepts the list at `time` as the newest after `remembered` (see `ListHeader.accept`): throws a
    /// rollback, a reused sequence or an expired list; returns the warnings the caller must show.
    public func accept(at time: Int64, remembered: AcceptedList?, source: String) throws(QRCertError) -> [QRCertError] {
        try header.accept(Self.kind, digest: digest, at: time, remembered: remembered, source: source)
    }
}

import QRCertCrypto
import QRCertFormat

/// The issuer keys an authority trusts, signed with its root key: one file that travels to offline
/// laptops (docs/TRUST.md).
///
/// Body (core deterministic CBOR map): 1 version, 2 sequence, 3 issued at, 4 next update, 5 grace
/// seconds, 6 environment (`production` or `test`), 7 authority name, 8 array of `TrustList.Entry` maps.
/// Removed (compromised) keys stay in the list, so that what they signed is refused by name.
public struct TrustList: SignedList {
    /// Trust list.
    public static let kind = ListKind.trustList

    /// Which world the keys belong to; a test list is never taken for a production one.
    public enum Environment: String, Sendable, CaseIterable {
        /// Real credentials.
        case production
        /// Training and testing.
        case test
    }

    /// Edition and dates.
    public var header: ListHeader
    /// Production or test.
    public var environment: Environment
    /// The authority that runs the list, as printed.
    public var authority: String
    /// The keys, in the order added.
    public private(set) var entries: [TrustListEntry]
    /// Key id of the root that signed it (empty for a list not yet signed).
    public private(set) var signerKeyID: [UInt8] = []
    /// SHA-256 of the file it was read from (empty for a list not yet signed).
    public private(set) var digest: [UInt8] = []

    /// A new list with no keys.
    public init(header: ListHeader, environment: Environment, authority: String) throws(QRCertError) {
        self.header = header
        self.environment = environment
        self.authority = try TrustListEntry.checkedName(authority, what: "authority name")
        self.entries = []
    }

    /// The entry for `keyID`, whatever its status: the kid it is listed under, or the kid of its bare key
    /// (so `--key` given as the public key finds a key listed as a certificate, and the reverse).
    public func entry(for keyID: [UInt8]) -> TrustListEntry? { index(of: keyID).map { entries[$0] } }

    /// The entry for `key`, compared by SubjectPublicKeyInfo (docs/FORMAT.md §5.1).
    public func entry(for key: PublicKey) -> TrustListEntry? { entries.first { $0.key.identity == key.identity } }

    /// Adds a key. A key already listed, even removed, is refused whichever form either has (bare key or
    /// any certificate of it: the key is its SPKI), so a compromised key never comes back.
    public mutating func add(_ entry: TrustListEntry) throws(QRCertError) {
        if let existing = self.entry(for: entry.key) ?? self.entry(for: entry.keyID) {
            throw QRCertError(.trust, "TL_KEY_EXISTS",
                              "key \(Hex.encode(entry.keyID)) is already in the trust list\(Self.alias(existing, entry)) (\(existing.issuer), \(existing.status.word))")
        }
        entries.append(entry)
    }

    /// ` as KID` when the same key is listed under another kid (bare key against certificate).
    private static func alias(_ existing: TrustListEntry, _ entry: TrustListEntry) -> String {
        existing.keyID == entry.keyID ? "" : " as \(Hex.encode(existing.keyID))"
    }

    private func index(of keyID: [UInt8]) -> Int? {
        entries.firstIndex { $0.keyID == keyID } ?? entries.firstIndex { $0.key.keyID == keyID }
    }

    /// Retires a key from `time`: it signs nothing new, and what it signed stays valid until `end`,
    /// which becomes the end of the key's validity.
    public mutating func retire(keyID: [UInt8], at time: Int64, end: Int64) throws(QRCertError) {
        let index = try activeIndex(keyID, doing: "retired")
        guard end > entries[index].notBefore else {
            throw QRCertError(.trust, "TL_BAD_WINDOW", "end \(Timestamp.iso(end)) is before the key's validity starts (\(Timestamp.iso(entries[index].notBefore)))")
        }
        entries[index].status = .retired(at: time)
        entries[index].notAfter = end
    }

    /// Removes a compromised key at `time`: everything it signed is refused with `KEY_COMPROMISED`.
    public mutating func remove(keyID: [UInt8], at time: Int64, reason: String) throws(QRCertError) {
        guard let index = index(of: keyID) else { throw Self.notFound(keyID) }
        if case .removed = entries[index].status {
            throw QRCertError(.trust, "TL_KEY_STATE", "key \(Hex.encode(keyID)) is already removed")
        }
        entries[index].status = .removed(at: time, reason: try TrustListEntry.checkedName(reason, what: "reason"))
    }

    private func activeIndex(_ keyID: [UInt8], doing: String) throws(QRCertError) -> Int {
        guard let index = index(of: keyID) else { throw Self.notFound(keyID) }
        if case .removed = entries[index].status {
            throw QRCertError(.trust, "TL_KEY_STATE", "key \(Hex.encode(keyID)) was removed; it cannot be \(doing)")
        }
        return index
    }

    private static func notFound(_ keyID: [UInt8]) -> QRCertError {
        QRCertError(.trust, "TL_KEY_NOT_FOUND", "no key \(Hex.encode(keyID)) in the trust list",
                    hint: "list the keys with: qrcert trust-list show FILE")
    }

    // MARK: - Signing and reading

    /// The body map.
    func body() -> CBOR {
        .map(header.pairs + [CBORPair(.int(6), .text(environment.rawValue)),
                             CBORPair(.int(7), .text(authority)),
                             CBORPair(.int(8), .array(entries.map { $0.cbor() }))])
    }

    /// The file: a COSE_Sign1 by `root` over the body.
    public func signed(with root: any Signer) throws(QRCertError) -> [UInt8] {
        try ListEnvelope.sign(body(), kind: .trustList, key: root)
    }

    /// Reads a trust list and checks that `root` signed it. Refuses another root's list (`TL_WRONG_ROOT`),
    /// a changed one (`TL_SIG_INVALID`) and a malformed one (`TL_BAD_FILE`, `TL_BAD_CONTENT`, `TL_WRONG_KIND`).
    /// Dates and sequence are checked by `header.accept`.
    public static func open(_ bytes: [UInt8], root: PublicKey, source: String) throws(QRCertError) -> TrustList {
        let envelope = try ListEnvelope.decode(bytes, kind: .trustList, source: source)
        guard envelope.signerKeyID == root.keyID else {
            throw QRCertError(.trust, "TL_WRONG_ROOT",
                              "\(source) is signed by key \(Hex.encode(envelope.signerKeyID)), not by the root \(Hex.encode(root.keyID))",
                              hint: "pass the root public key of the authority that issued this list with --root")
        }
        guard try envelope.verifies(with: root) else {
            throw QRCertError(.trust, "TL_SIG_INVALID",
                              "\(source): the signature does not verify with the root \(Hex.encode(root.keyID)); the file was altered",
                              hint: "get the list again from the authority")
        }
        return try read(envelope, source: source)
    }

    /// Reads a trust list WITHOUT checking its signature, for `trust-list show` when no root is given.
    public static func openUnverified(_ bytes: [UInt8], source: String) throws(QRCertError) -> TrustList {
        try read(try ListEnvelope.decode(bytes, kind: .trustList, source: source), source: source)
    }

    private static func read(_ envelope: ListEnvelope, source: String) throws(QRCertError) -> TrustList {
        let fields = try envelope.body(source: source)
        try fields.only(1...8)
        guard let environment = Environment(rawValue: try fields.text(6, "environment")) else {
            throw fields.bad("environment must be production or test")
        }
        let header = try fields.header(), authority = try fields.text(7, "authority")
        var list: TrustList
        do throws(QRCertError) {
            list = try TrustList(header: header, environment: environment, authority: authority)
        } catch {
            throw fields.bad(error.message)
        }
        for (i, item) in try fields.array(8, "keys").enumerated() {
            let entry = try TrustListEntry(cbor: item, context: "\(source): key \(i + 1)")
            // One key, one entry: the same SPKI under two kids (bare and certificate) would split its policy.
            if let existing = list.entry(for: entry.key) ?? list.entries.first(where: { $0.keyID == entry.keyID }) {
                throw fields.bad("key \(Hex.encode(entry.keyID)) is listed twice\(alias(existing, entry))")
            }
            list.entries.append(entry)
        }
        list.signerKeyID = envelope.signerKeyID
        list.digest = envelope.digest
        return list
    }

    /// Number of keys, removed ones included.
    public var count: Int { entries.count }

    /// Per root and environment: a test list never moves the production list's count.
    public var acceptedSlot: String { "trust-list:\(Hex.encode(signerKeyID)):\(environment.rawValue)" }

    /// Which list this is, for verdicts and output.
    public func summary(source: String) -> ListSummary {
        ListSummary(kind: .trustList, source: source, header: header, signerKeyID: signerKeyID, issuer: authority,
                    environment: environment.rawValue, count: entries.count, digest: digest)
    }
}

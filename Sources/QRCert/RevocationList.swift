import QRCertCrypto
import QRCertFormat

/// Certificate ids suspended or revoked, signed by the root or by an issuer key (docs/TRUST.md).
///
/// Body (core deterministic CBOR map): 1 version, 2 sequence, 3 issued at, 4 next update, 5 grace
/// seconds, 6 issuer name, 7 UTC offset of its dates in seconds, 8 array of reason texts, 9 entries:
/// one byte string of fixed-width entries sorted by certificate id, each
/// `cti[8] status[1] reason[1] since[4] until[4]` (status 1 revoked, 2 suspended; reason an index
/// into 8; dates as big-endian days since 1970-01-01; until is the last day of a suspension, 0 for a
/// revocation). A million entries is one 18 MB string: loading is a signature check and one pass,
/// a lookup a binary search.
public struct RevocationList: SignedList {
    /// Revocation list.
    public static let kind = ListKind.revocations

    /// Bytes per entry.
    public static let entryWidth = 18
    /// Most distinct reasons (the reason is one byte).
    public static let maxReasons = 256

    /// Which credentials a list may withdraw, from the key that signed it.
    public enum Scope: Sendable, Equatable {
        /// Signed by the root: any credential.
        case all
        /// Signed by an issuer key of the trust list: credentials signed by that issuer's keys.
        case issuer(String)
        /// Signed by a key given only with `--trust` (no trust list holds it): credentials that key signed,
        /// under any of its kids. The value is the kid of the key's canonical SPKI (`PublicKey.identityID`), never a certificate's.
        case key([UInt8])

        /// Whether a credential verified by `anchor` is within this scope. Both the listing and the key are the
        /// key's own (docs/FORMAT.md §5.1), whichever kid named it.
        public func covers(_ anchor: TrustAnchor) -> Bool {
            switch self {
            case .all: return true
            case .issuer(let name): return anchor.listing?.issuer == name
            case .key(let keyID): return anchor.key.identityID == keyID
            }
        }
    }

    /// A key that may sign revocation lists, and what its lists cover.
    public struct Signer: Sendable {
        /// The key.
        public let key: PublicKey
        /// What its lists may withdraw.
        public let scope: Scope

        /// Creates a signer.
        public init(key: PublicKey, scope: Scope) {
            self.key = key
            self.scope = scope
        }

        /// The root (covering everything), then each trusted key once (by SPKI): a listed key that is not
        /// removed and not past its validity at `time` covers its issuer's credentials, whether or not it was
        /// also given with `--trust` (which can neither narrow that scope nor move its rollback slot); a key
        /// no trust list holds covers what it signed.
        public static func all(root: PublicKey?, trust: TrustStore, at time: Int64) -> [Signer] {
            var signers = root.map { [Signer(key: $0, scope: .all)] } ?? []
            for anchor in trust.keys {
                guard let listing = anchor.listing else {
                    signers.append(Signer(key: anchor.key, scope: .key(anchor.key.identityID)))
                    continue
                }
                if case .removed = listing.status { continue }
                guard time < listing.notAfter else { continue }
                signers.append(Signer(key: anchor.key, scope: .issuer(listing.issuer)))
            }
            return signers
        }
    }

    /// Edition and dates.
    public var header: ListHeader
    /// Who issues it, as printed.
    public var issuer: String
    /// Seconds east of UTC at which its dates begin and end (Viet Nam: 25 200).
    public let utcOffset: Int64
    /// The reason texts entries point to.
    public private(set) var reasons: [String] = []
    /// Key id of the signer (empty for a list not yet signed).
    public private(set) var signerKeyID: [UInt8] = []
    /// SHA-256 of the file it was read from (empty for a list not yet signed).
    public private(set) var digest: [UInt8] = []
    /// What it may withdraw; set by `open` from the signer.
    public private(set) var scope: Scope = .all

    /// Certificate ids as big-endian integers, ascending: the search index.
    private var keys: [UInt64] = []
    /// The entries as written, `entryWidth` bytes each, in the order of `keys`.
    private var wire: [UInt8] = []

    /// An empty list.
    public init(header: ListHeader, issuer: String, utcOffset: Int64 = 7 * 3600) throws(QRCertError) {
        guard abs(utcOffset) <= 14 * 3600 else {
            throw QRCertError(.revocation, "RL_BAD_CONTENT", "UTC offset \(utcOffset) s is beyond ±14 hours")
        }
        guard let trimmed = ListText.normalized(issuer) else {
            throw QRCertError(.revocation, "RL_BAD_CONTENT", "issuer name must be 1 to 200 bytes of text on one line")
        }
        self.header = header
        self.issuer = trimmed
        self.utcOffset = utcOffset
    }

    /// Number of entries.
    public var count: Int { keys.count }

    /// The entry for `certificateID`, in force or not; nil when it is not listed. A binary search.
    public func entry(for certificateID: [UInt8]) -> RevocationEntry? {
        guard certificateID.count == RevocationEntry.certificateIDCount, let index = index(of: Self.key(certificateID)) else { return nil }
        return entry(at: index)
    }

    /// Every entry, in certificate id order.
    public var entries: [RevocationEntry] { (0..<count).map { entry(at: $0) } }

    /// Adds or replaces entries (a later one for the same id wins).
    public mutating func set(_ new: [RevocationEntry]) throws(QRCertError) {
        var reasonIndex: [String: UInt8] = [:]
        for (i, reason) in reasons.enumerated() { reasonIndex[reason] = UInt8(i) }
        var incoming: [(key: UInt64, order: Int, record: Record)] = []
        incoming.reserveCapacity(new.count)
        for (order, entry) in new.enumerated() {
            let reason: UInt8
            if let known = reasonIndex[entry.reason] {
                reason = known
            } else {
                guard reasons.count < Self.maxReasons else {
                    throw QRCertError(.revocation, "RL_TOO_MANY_REASONS", "a revocation list holds at most \(Self.maxReasons) distinct reasons",
                                      hint: "reuse the wording of an existing reason")
                }
                reason = UInt8(reasons.count)
                reasons.append(entry.reason)
                reasonIndex[entry.reason] = reason
            }
            incoming.append((Self.key(entry.certificateID), order, Record(entry, reason: reason)))
        }
        incoming.sort { $0.key != $1.key ? $0.key < $1.key : $0.order < $1.order }
        var mergedKeys: [UInt64] = [], mergedWire: [UInt8] = []
        mergedKeys.reserveCapacity(keys.count + incoming.count)
        mergedWire.reserveCapacity((keys.count + incoming.count) * Self.entryWidth)
        var i = 0, j = 0
        while i < keys.count || j < incoming.count {
            if j == incoming.count || (i < keys.count && keys[i] < incoming[j].key) {
                mergedKeys.append(keys[i])
                mergedWire += wire[(i * Self.entryWidth)..<((i + 1) * Self.entryWidth)]
                i += 1
                continue
            }
            let key = incoming[j].key
            while j + 1 < incoming.count && incoming[j + 1].key == key { j += 1 }  // the last one for this id wins
            if i < keys.count && keys[i] == key { i += 1 }
            mergedKeys.append(key)
            incoming[j].record.append(key: key, to: &mergedWire)
            j += 1
        }
        keys = mergedKeys
        wire = mergedWire
    }

    /// Adds or replaces one entry per id, all with the same status, first day and reason: the reason and
    /// dates are checked once, so a million ids from a court order or a bulk import are cheap.
    public mutating func set(_ certificateIDs: [[UInt8]], status: RevocationEntry.Status, since: CivilDate, reason: String) throws(QRCertError) {
        guard let first = certificateIDs.first else { return }
        let model = try RevocationEntry(certificateID: first, status: status, since: since, reason: reason)
        var entries: [RevocationEntry] = []
        entries.reserveCapacity(certificateIDs.count)
        for id in certificateIDs {
            guard id.count == RevocationEntry.certificateIDCount else {
                throw QRCertError(.revocation, "RL_BAD_ENTRY", "certificate id \(Hex.encode(id)) must be \(RevocationEntry.certificateIDCount) bytes (16 hex digits)")
            }
            entries.append(RevocationEntry(checked: id, status: status, since: since, reason: model.reason))
        }
        try set(entries)
    }

    /// Takes `certificateID` off the list (an entry made in error, a suspension lifted early); false if absent.
    @discardableResult
    public mutating func lift(_ certificateID: [UInt8]) -> Bool {
        guard certificateID.count == RevocationEntry.certificateIDCount, let index = index(of: Self.key(certificateID)) else { return false }
        keys.remove(at: index)
        wire.removeSubrange((index * Self.entryWidth)..<((index + 1) * Self.entryWidth))
        return true
    }

    // MARK: - Signing and reading

    /// The file: a COSE_Sign1 by `key` over the body.
    public func signed(with key: any QRCertCrypto.Signer) throws(QRCertError) -> [UInt8] {
        let body = CBOR.map(header.pairs + [CBORPair(.int(6), .text(issuer)),
                                            CBORPair(.int(7), .int(utcOffset)),
                                            CBORPair(.int(8), .array(reasons.map { .text($0) })),
                                            CBORPair(.int(9), .bytes(wire))])
        return try ListEnvelope.sign(body, kind: .revocations, key: key)
    }

    /// Reads a revocation list signed by one of `signers` and takes that signer's scope. Refuses a
    /// list by any other key (`RL_WRONG_SIGNER`), a changed one (`RL_SIG_INVALID`) and a malformed
    /// one (`RL_BAD_FILE`, `RL_BAD_CONTENT`, `RL_WRONG_KIND`). Dates and sequence are checked by `header.accept`.
    public static func open(_ bytes: [UInt8], signers: [Signer], source: String) throws(QRCertError) -> RevocationList {
        let envelope = try ListEnvelope.decode(bytes, kind: .revocations, source: source)
        let candidates = signers.filter { $0.key.keyID == envelope.signerKeyID }
        guard !candidates.isEmpty else {
            throw QRCertError(.revocation, "RL_WRONG_SIGNER",
                              "\(source) is signed by key \(Hex.encode(envelope.signerKeyID)), which is neither the root nor a trusted issuer key in service",
                              hint: "a revocation list must be signed by the root or by an issuer key of the trust list")
        }
        for signer in candidates where try envelope.verifies(with: signer.key) {
            var list = try read(envelope, source: source)
            list.scope = signer.scope
            return list
        }
        throw QRCertError(.revocation, "RL_SIG_INVALID",
                          "\(source): the signature does not verify with key \(Hex.encode(envelope.signerKeyID)); the file was altered",
                          hint: "get the list again from the authority")
    }

    /// Reads a revocation list WITHOUT checking its signature, for `revoke show` when no key is given.
    public static func openUnverified(_ bytes: [UInt8], source: String) throws(QRCertError) -> RevocationList {
        try read(try ListEnvelope.decode(bytes, kind: .revocations, source: source), source: source)
    }

    private static func read(_ envelope: ListEnvelope, source: String) throws(QRCertError) -> RevocationList {
        let fields = try envelope.body(source: source)
        try fields.only(1...9)
        let header = try fields.header(), issuer = try fields.text(6, "issuer"), utcOffset = try fields.int(7, "UTC offset")
        var list: RevocationList
        do throws(QRCertError) {
            list = try RevocationList(header: header, issuer: issuer, utcOffset: utcOffset)
        } catch {
            throw fields.bad(error.message)
        }
        for item in try fields.array(8, "reasons") {
            guard case .text(let reason) = item else { throw fields.bad("reasons must be text") }
            guard ListText.normalized(reason)?.utf8.elementsEqual(reason.utf8) == true else { throw fields.bad("reason \(list.reasons.count + 1) is not 1 to 200 bytes of text on one line") }
            list.reasons.append(reason)
        }
        guard list.reasons.count <= maxReasons else { throw fields.bad("more than \(maxReasons) reasons") }
        list.wire = try fields.bytes(9, "entries")
        list.keys = try index(list.wire, reasons: list.reasons.count, fields: fields)
        list.signerKeyID = envelope.signerKeyID
        list.digest = envelope.digest
        return list
    }

    /// One pass over the entries: builds the search index and checks order, statuses, reasons and dates.
    private static func index(_ wire: [UInt8], reasons: Int, fields: ListFields) throws(QRCertError) -> [UInt64] {
        guard wire.count % entryWidth == 0 else { throw fields.bad("entries are \(wire.count) bytes, not a multiple of \(entryWidth)") }
        let count = wire.count / entryWidth
        var keys = [UInt64](repeating: 0, count: count)
        // The checks stay inside the closure: a failure is reported as the index of the first bad entry.
        let bad: (Int, String)? = wire.withUnsafeBufferPointer { bytes in
            keys.withUnsafeMutableBufferPointer { keys in
                var previous: UInt64 = 0
                for i in 0..<count {
                    let base = i * entryWidth
                    let key = load64(bytes, base)
                    if i > 0 && key <= previous { return (i, "is not in ascending certificate id order (or repeats one)") }
                    previous = key
                    keys[i] = key
                    let status = bytes[base + 8], reason = Int(bytes[base + 9])
                    let since = load32(bytes, base + 10), until = load32(bytes, base + 14)
                    if reason >= reasons { return (i, "points to reason \(reason) of \(reasons)") }
                    switch status {
                    case 1 where until == 0: continue
                    case 1: return (i, "is revoked but has an end date")
                    case 2 where until >= since: continue
                    case 2: return (i, "is suspended until before it starts")
                    default: return (i, "has status \(status), not 1 (revoked) or 2 (suspended)")
                    }
                }
                return nil
            }
        }
        if let (i, why) = bad { throw fields.bad("entry \(i + 1) \(why)") }
        return keys
    }

    // MARK: - Entries

    /// An entry without its id: status, reason index and dates.
    private struct Record {
        var status: UInt8, reason: UInt8, since: UInt32, until: UInt32

        init(_ entry: RevocationEntry, reason: UInt8) {
            self.reason = reason
            since = UInt32(entry.since.daysSinceEpoch)  // RevocationEntry.init keeps dates within UInt32
            switch entry.status {
            case .revoked:
                status = 1
                until = 0
            case .suspended(let date):
                status = 2
                until = UInt32(date.daysSinceEpoch)
            }
        }

        func append(key: UInt64, to wire: inout [UInt8]) {
            for shift in stride(from: 56, through: 0, by: -8) { wire.append(UInt8(truncatingIfNeeded: key >> UInt64(shift))) }
            wire += [status, reason]
            for value in [since, until] {
                for shift in stride(from: 24, through: 0, by: -8) { wire.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
            }
        }
    }

    private func index(of key: UInt64) -> Int? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == key ? low : nil
    }

    private func entry(at index: Int) -> RevocationEntry {
        wire.withUnsafeBufferPointer { bytes -> RevocationEntry in
            let base = index * Self.entryWidth
            let since = CivilDate(daysSinceEpoch: Int64(Self.load32(bytes, base + 10)))
            let status: RevocationEntry.Status = bytes[base + 8] == 1
                ? .revoked : .suspended(until: CivilDate(daysSinceEpoch: Int64(Self.load32(bytes, base + 14))))
            return RevocationEntry(checked: Array(bytes[base..<(base + 8)]), status: status, since: since,
                                   reason: reasons[Int(bytes[base + 9])])
        }
    }

    /// The certificate id as a big-endian integer, so that integer order is byte order.
    static func key(_ certificateID: [UInt8]) -> UInt64 {
        certificateID.withUnsafeBufferPointer { load64($0, 0) }
    }

    private static func load64(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<8 { value = value << 8 | UInt64(bytes[at + k]) }
        return value
    }

    private static func load32(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 { value = value << 8 | UInt32(bytes[at + k]) }
        return value
    }

    /// Per issuer, so that rotating the issuer's key does not restart the count; per key for the root
    /// and for a key given only with `--trust`.
    public var acceptedSlot: String {
        switch scope {
        case .all: return "revocations:root:\(Hex.encode(signerKeyID))"
        case .issuer(let name): return "revocations:issuer:\(name)"
        case .key(let kid): return "revocations:key:\(Hex.encode(kid))"
        }
    }

    /// Which list this is, for verdicts and output.
    public func summary(source: String) -> ListSummary {
        ListSummary(kind: .revocations, source: source, header: header, signerKeyID: signerKeyID, issuer: issuer,
                    environment: nil, count: count, digest: digest)
    }
}

import QRCertFormat

/// The newest edition of each list accepted on one computer, by slot (`SignedList.acceptedSlot`), so that
/// an older edition is refused (docs/TRUST.md). A value: the CLI reads and writes it as a JSON file.
///
/// A slot only ever moves up: remembering an edition at or below the one held changes nothing, and
/// `merge` keeps the higher of two records, so parallel runs that save one after the other never lower it.
public struct AcceptedLists: Sendable {
    /// What is remembered of one accepted edition.
    public struct Record: Sendable, Equatable {
        /// Its sequence number and digest.
        public var edition: AcceptedList
        /// The file it was read from, as given.
        public var source: String
        /// When it was accepted (ISO 8601), as written.
        public var acceptedAt: String

        /// Creates a record.
        public init(edition: AcceptedList, source: String, acceptedAt: String) {
            self.edition = edition
            self.source = source
            self.acceptedAt = acceptedAt
        }
    }

    /// Every slot's record.
    public private(set) var records: [String: Record]
    /// The slots `remember` raised since this value was made: what a save must write.
    public private(set) var changed: Set<String> = []

    /// The records read from a file (or none).
    public init(records: [String: Record] = [:]) {
        self.records = records
    }

    /// The edition remembered for `slot`, if any.
    public subscript(slot: String) -> AcceptedList? { records[slot]?.edition }

    /// Remembers `list`, accepted from `source` at `time`, unless its slot already holds that edition or a newer one.
    public mutating func remember(_ list: some SignedList, source: String, at time: Int64) {
        remember(Record(edition: AcceptedList(sequence: list.header.sequence, digest: list.digest), source: source,
                        acceptedAt: Timestamp.iso(time)), in: list.acceptedSlot)
    }

    /// Remembers `record` in `slot` unless the slot already holds that edition or a newer one.
    public mutating func remember(_ record: Record, in slot: String) {
        if let known = records[slot], known.edition.sequence >= record.edition.sequence { return }
        records[slot] = record
        changed.insert(slot)
    }

    /// `other` (what the file holds now, perhaps written by another run since this one read it) with this
    /// value's changed slots added where they are newer.
    public func merged(into other: AcceptedLists) -> AcceptedLists {
        var merged = other
        for slot in changed.sorted() {
            guard let mine = records[slot] else { continue }
            merged.remember(mine, in: slot)
        }
        return merged
    }
}

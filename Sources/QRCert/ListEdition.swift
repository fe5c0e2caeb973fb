import QRCertFormat

/// How the next edition of a signed list is made: its sequence, how long it is current and its grace
/// period, each nil to keep the current edition's (or, for a first edition, to take the default).
public struct ListEdition: Sendable, Equatable {
    /// Longest period a list may be current: ten years.
    public static let maxPeriod: Int64 = 3650 * 86_400

    /// Sequence number of the new edition; nil for one more than the current one.
    public var sequence: UInt64?
    /// Days until the next update is due.
    public var validDays: Int?
    /// Grace period in days.
    public var graceDays: Int?

    /// Creates an edition.
    public init(sequence: UInt64? = nil, validDays: Int? = nil, graceDays: Int? = nil) {
        self.sequence = sequence
        self.validDays = validDays
        self.graceDays = graceDays
    }

    /// The header of a first edition signed at `time`, with these defaults for what is not given.
    public func first(at time: Int64, sequence: UInt64 = 1, validDays: Int, graceDays: Int) throws(QRCertError) -> ListHeader {
        try Self.header(sequence: self.sequence ?? sequence, at: time, period: Int64(self.validDays ?? validDays) * 86_400,
                        grace: Int64(self.graceDays ?? graceDays) * 86_400)
    }

    /// The header of the edition after `current`: a higher sequence, signed at `time`, the same period
    /// and grace unless told. A sequence not above the current one is `LIST_SEQUENCE`.
    public func next(after current: ListHeader, at time: Int64, kind: ListKind) throws(QRCertError) -> ListHeader {
        let sequence = self.sequence ?? current.sequence + 1
        guard sequence > current.sequence else {
            throw QRCertError(.usage, "LIST_SEQUENCE", "--sequence \(sequence) must be higher than the current \(kind.noun)'s \(current.sequence)")
        }
        let period = validDays.map { Int64($0) * 86_400 } ?? (current.nextUpdate - current.issuedAt)
        let grace = graceDays.map { Int64($0) * 86_400 } ?? current.grace
        return try Self.header(sequence: sequence, at: time, period: period, grace: grace)
    }

    /// A header within the bounds every list keeps: sequence at least 1, current for an hour to ten
    /// years, a grace period of 0 to 90 days. The messages name the options that set them.
    static func header(sequence: UInt64, at time: Int64, period: Int64, grace: Int64) throws(QRCertError) -> ListHeader {
        guard sequence >= 1, sequence <= UInt64(Int64.max) else { throw QRCertError(.usage, "USAGE", "--sequence must be at least 1") }
        guard period >= 3600, period <= maxPeriod else { throw QRCertError(.usage, "USAGE", "--valid-days must be 1 to 3650") }
        guard (0...ListHeader.maxGrace).contains(grace) else {
            throw QRCertError(.usage, "USAGE", "--grace-days must be 0 to \(ListHeader.maxGrace / 86_400)")
        }
        return ListHeader(sequence: sequence, issuedAt: time, nextUpdate: time + period, grace: grace)
    }
}

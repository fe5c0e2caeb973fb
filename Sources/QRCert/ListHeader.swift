import QRCertFormat

/// What every signed list states about itself: which edition it is and how long it may be relied on.
///
/// A list is current until `nextUpdate`; then stale, still used but with a warning, for `grace`
/// seconds; then expired and refused. The grace period is chosen by the authority and signed with the
/// list, so a verifier can neither drop the warning nor stretch the period (docs/TRUST.md).
public struct ListHeader: Sendable, Equatable {
    /// Longest grace period a list may set: 90 days.
    public static let maxGrace: Int64 = 90 * 86_400

    /// Edition number; each update raises it, and a verifier refuses one lower than it has accepted.
    public var sequence: UInt64
    /// When it was signed, seconds since 1970 UTC.
    public var issuedAt: Int64
    /// When the next edition is due.
    public var nextUpdate: Int64
    /// Seconds after `nextUpdate` during which a stale list still works.
    public var grace: Int64

    /// Creates a header.
    public init(sequence: UInt64, issuedAt: Int64, nextUpdate: Int64, grace: Int64) {
        self.sequence = sequence
        self.issuedAt = issuedAt
        self.nextUpdate = nextUpdate
        self.grace = grace
    }

    /// The first instant at which the list is refused.
    public var expiresAt: Int64 { nextUpdate + grace }

    /// Where a list stands at some time.
    public enum Freshness: String, Sendable, Equatable {
        /// Before its next update.
        case current
        /// Past its next update, within the grace period: used, with a warning.
        case stale
        /// Past the grace period: refused.
        case expired
    }

    /// Where the list stands at `time`.
    public func freshness(at time: Int64) -> Freshness {
        time < nextUpdate ? .current : time < expiresAt ? .stale : .expired
    }

    /// Accepts the list at `time` as the newest after `remembered` (the last edition this verifier
    /// accepted from the same signer, if any). Throws `*_EXPIRED`, `*_ROLLBACK` or `*_SEQUENCE_REUSED`;
    /// returns warnings (`*_STALE`, `*_CLOCK`) that the caller must show.
    public func accept(_ kind: ListKind, digest: [UInt8], at time: Int64, remembered: AcceptedList?,
                       source: String) throws(QRCertError) -> [QRCertError] {
        if let remembered {
            if sequence < remembered.sequence {
                throw kind.error("TL_ROLLBACK", "RL_ROLLBACK",
                                 "\(source) is \(kind.noun) #\(sequence), older than #\(remembered.sequence) already accepted on this computer",
                                 hint: "use the newest \(kind.noun) from the authority; an older one may bring back keys or licences since withdrawn")
            }
            if sequence == remembered.sequence && digest != remembered.digest {
                throw kind.error("TL_SEQUENCE_REUSED", "RL_SEQUENCE_REUSED",
                                 "\(source) is \(kind.noun) #\(sequence) but differs from the #\(sequence) already accepted on this computer",
                                 hint: "every change must raise the sequence; ask the authority which file is genuine")
            }
        }
        var warnings: [QRCertError] = []
        switch freshness(at: time) {
        case .current:
            break
        case .stale:
            warnings.append(kind.error("TL_STALE", "RL_STALE",
                                       "\(kind.noun.uppercased()) \(source) (#\(sequence)) IS OUT OF DATE: its next update was due \(Timestamp.iso(nextUpdate)); it stops working at \(Timestamp.iso(expiresAt))",
                                       hint: "fetch the current \(kind.noun) from the authority before \(Timestamp.iso(expiresAt))"))
        case .expired:
            throw kind.error("TL_EXPIRED", "RL_EXPIRED",
                             "\(source) (\(kind.noun) #\(sequence)) expired at \(Timestamp.iso(expiresAt)): next update was due \(Timestamp.iso(nextUpdate)) and the grace period of \(grace / 86_400) day(s) is over",
                             hint: "fetch the current \(kind.noun) from the authority; nothing is verified against an expired one")
        }
        // Laptop clocks drift: a list from the future is used, but the clock is named as the likely cause.
        if issuedAt > time + 86_400 {
            warnings.append(kind.error("TL_CLOCK", "RL_CLOCK",
                                       "\(source) (\(kind.noun) #\(sequence)) was issued at \(Timestamp.iso(issuedAt)), after this computer's time \(Timestamp.iso(time))",
                                       hint: "check this computer's clock"))
        }
        return warnings
    }
}

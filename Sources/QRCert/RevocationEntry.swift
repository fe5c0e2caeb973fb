import QRCertFormat

/// One certificate id on a revocation list: revoked for good, or suspended until a date, and why.
public struct RevocationEntry: Sendable, Equatable {
    /// What happened to the credential.
    public enum Status: Sendable, Equatable {
        /// Withdrawn for good.
        case revoked
        /// Withdrawn up to and including `until` (a civil date in the list's time zone).
        case suspended(until: CivilDate)

        /// `revoked` or `suspended`.
        public var word: String {
            switch self {
            case .revoked: return "revoked"
            case .suspended: return "suspended"
            }
        }
    }

    /// Width of a certificate id: the `cti` qrcert issues (`Issuer.certificateID`).
    public static let certificateIDCount = 8

    /// The credential's `cti`.
    public let certificateID: [UInt8]
    /// Revoked or suspended.
    public let status: Status
    /// The civil date from which it applies.
    public let since: CivilDate
    /// Why, as the authority wrote it.
    public let reason: String

    /// An entry; the id must be 8 bytes, the dates from 1970 on and a suspension must end on or after its start.
    public init(certificateID: [UInt8], status: Status, since: CivilDate, reason: String) throws(QRCertError) {
        guard certificateID.count == Self.certificateIDCount else {
            throw QRCertError(.revocation, "RL_BAD_ENTRY", "certificate id \(Hex.encode(certificateID)) must be \(Self.certificateIDCount) bytes (16 hex digits)")
        }
        guard since.daysSinceEpoch >= 0, since.daysSinceEpoch <= Int64(UInt32.max) else {
            throw QRCertError(.revocation, "RL_BAD_ENTRY", "\(Hex.encode(certificateID)): date \(since) is before 1970")
        }
        if case .suspended(let until) = status, until < since {
            throw QRCertError(.revocation, "RL_BAD_ENTRY", "\(Hex.encode(certificateID)): suspended until \(until), before it starts on \(since)")
        }
        guard let trimmed = ListText.normalized(reason) else {
            throw QRCertError(.revocation, "RL_BAD_ENTRY", "\(Hex.encode(certificateID)): reason must be 1 to 200 bytes of text on one line")
        }
        self.certificateID = certificateID
        self.status = status
        self.since = since
        self.reason = trimmed
    }

    /// An entry read from a list whose entries were checked as it was read (no normalising on every lookup).
    init(checked certificateID: [UInt8], status: Status, since: CivilDate, reason: String) {
        self.certificateID = certificateID
        self.status = status
        self.since = since
        self.reason = reason
    }

    /// Whether it withdraws the credential at `time`: a revocation from the start of `since`, a suspension
    /// from the start of `since` to the end of `until`, days counted at `utcOffset` seconds east of UTC.
    public func inForce(at time: Int64, utcOffset: Int64) -> Bool {
        guard time >= since.midnight(utcOffset: utcOffset) else { return false }
        switch status {
        case .revoked: return true
        case .suspended(let until): return time < CivilDate(daysSinceEpoch: until.daysSinceEpoch + 1).midnight(utcOffset: utcOffset)
        }
    }
}

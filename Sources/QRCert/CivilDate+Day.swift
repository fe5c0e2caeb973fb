extension CivilDate {
    /// The day `time` (seconds since 1970 UTC) falls on at `utcOffset` seconds east of UTC, e.g. today in a
    /// revocation list's time zone; a moment before 1970 belongs to the day it falls in, not the next.
    public init(at time: Int64, utcOffset: Int64) {
        let local = time + utcOffset
        self.init(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}

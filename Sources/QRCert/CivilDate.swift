/// A calendar date without a time zone, as written in records: `YYYY-MM-DD` (proleptic Gregorian).
public struct CivilDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int64

    /// Days of 1900-01-01 ... 2199-12-31, the years records may use.
    public static let supportedDays: ClosedRange<Int64> = days(year: 1900, month: 1, day: 1)...days(year: 2199, month: 12, day: 31)

    /// From days since 1970-01-01.
    public init(daysSinceEpoch: Int64) { self.daysSinceEpoch = daysSinceEpoch }

    /// Parses `YYYY-MM-DD` strictly (years 1900-2199, a real day of that month); nil otherwise.
    public init?(_ text: String) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int64? {
            var n: Int64 = 0
            for i in r {
                guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }
                n = n * 10 + Int64(u[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              (1900...2199).contains(y), (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y) else { return nil }
        daysSinceEpoch = Self.days(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        if (0...9999).contains(y) {
            // Every date of every answer comes here: ten ASCII bytes written in place, a small string (no allocation).
            return String(unsafeUninitializedCapacity: 10) { out in
                Self.iso(y, m, d, into: out)
                return 10
            }
        }
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// `description`'s bytes appended to `out` (written in place for four-digit years).
    public func write(into out: WriteBuffer) {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return out.append(utf8: description) }
        Self.iso(y, m, d, into: UnsafeMutableBufferPointer(start: out.reserve(10), count: 10))
        out.commit(10)
    }

    /// `YYYY-MM-DD` of a four-digit year into the first 10 bytes of `out` (dates, and the date of ISO times).
    static func iso(_ year: Int64, _ month: Int64, _ day: Int64, into out: UnsafeMutableBufferPointer<UInt8>) {
        digits(year, 4, into: out, at: 0)
        out[4] = UInt8(ascii: "-")
        digits(month, 2, into: out, at: 5)
        out[7] = UInt8(ascii: "-")
        digits(day, 2, into: out, at: 8)
    }

    /// `n` (0 or more) as `width` decimal digits, zero-padded, at `start` of `out`.
    public static func digits(_ n: Int64, _ width: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var n = n
        for i in (start..<(start + width)).reversed() {
            out[i] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        }
    }

    /// Year, month, day.
    public var components: (year: Int64, month: Int64, day: Int64) {
        // Inverse of `days(year:month:day:)` (H. Hinnant's civil_from_days).
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Seconds since 1970 UTC of this date's midnight at `utcOffset` seconds east of UTC.
    public func midnight(utcOffset: Int64) -> Int64 { daysSinceEpoch * 86_400 - utcOffset }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        // H. Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

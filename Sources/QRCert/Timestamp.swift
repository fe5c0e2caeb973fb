/// Instants as seconds since 1970 UTC, written and read in ISO 8601.
public enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func iso(_ seconds: Int64) -> String {
        let (date, rest) = split(seconds)
        if let (year, month, day) = fourDigitYear(date) {
            // Years 0-9999, every time an answer shows: twenty bytes written in place, no interpolation.
            return String(unsafeUninitializedCapacity: 20) { out in
                write(year, month, day, rest, into: out)
                return 20
            }
        }
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    /// `iso(seconds)`'s UTF-8 appended to `out`: `verify --json` writes three or four instants per payload, and a
    /// 20-byte string is one allocation each.
    public static func iso(_ seconds: Int64, into out: inout [UInt8]) {
        let (date, rest) = split(seconds)
        guard let (year, month, day) = fourDigitYear(date) else { return out.append(contentsOf: iso(seconds).utf8) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { bytes in
            write(year, month, day, rest, into: bytes)
            out.append(contentsOf: bytes)
        }
    }

    /// `iso(seconds)`'s UTF-8 appended to `out` (the verdict line's times).
    public static func iso(_ seconds: Int64, into out: WriteBuffer) {
        let (date, rest) = split(seconds)
        guard let (year, month, day) = fourDigitYear(date) else { return out.append(utf8: iso(seconds)) }
        write(year, month, day, rest, into: UnsafeMutableBufferPointer(start: out.reserve(20), count: 20))
        out.commit(20)
    }

    /// The civil day and the seconds into it. Floor division without intermediate overflow: claimed NumericDates
    /// reach Int64.min.
    private static func split(_ seconds: Int64) -> (date: CivilDate, rest: Int64) {
        let remainder = seconds % 86_400
        let days = seconds / 86_400 - (remainder < 0 ? 1 : 0)
        return (CivilDate(daysSinceEpoch: days), remainder < 0 ? remainder + 86_400 : remainder)
    }

    /// The date's components when its year has four digits (0-9999), the years written in place.
    private static func fourDigitYear(_ date: CivilDate) -> (Int64, Int64, Int64)? {
        let (year, month, day) = date.components
        return (0...9999).contains(year) ? (year, month, day) : nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` into the first 20 bytes of `out`.
    private static func write(_ year: Int64, _ month: Int64, _ day: Int64, _ rest: Int64,
                              into out: UnsafeMutableBufferPointer<UInt8>) {
        CivilDate.iso(year, month, day, into: out)
        out[10] = UInt8(ascii: "T")
        CivilDate.digits(rest / 3600, 2, into: out, at: 11)
        out[13] = UInt8(ascii: ":")
        CivilDate.digits(rest / 60 % 60, 2, into: out, at: 14)
        out[16] = UInt8(ascii: ":")
        CivilDate.digits(rest % 60, 2, into: out, at: 17)
        out[19] = UInt8(ascii: "Z")
    }

    /// Reads the ISO 8601 forms found in practice: `2024-05-01`, `2024-05-01T10:20:30`, with `Z`,
    /// `+07:00`, `+0700` or `+07`, with a fraction of any length (dropped), and `T` or a space between
    /// date and time. No zone means UTC. Also `@SECONDS` since 1970. Nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("@") {
            // The same years as the date forms (1900-2199), so arithmetic on a parsed time never overflows.
            guard let seconds = Int64(s.dropFirst()),
                  (CivilDate.supportedDays.lowerBound * 86_400...(CivilDate.supportedDays.upperBound + 1) * 86_400 - 1).contains(seconds) else { return nil }
            return seconds
        }
        let u = Array(s.utf8)
        guard u.count >= 10, let date = CivilDate(String(decoding: u[0..<10], as: UTF8.self)) else { return nil }
        var seconds = date.daysSinceEpoch * 86_400
        var i = 10
        guard i < u.count else { return seconds }
        guard u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: "t") || u[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        func digits(_ n: Int) -> Int64? {
            guard i + n <= u.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                guard u[k] >= 0x30, u[k] <= 0x39 else { return nil }
                v = v * 10 + Int64(u[k] - 0x30)
            }
            i += n
            return v
        }
        func colon() -> Bool { if i < u.count, u[i] == UInt8(ascii: ":") { i += 1; return true }; return false }
        guard let h = digits(2), h < 24, colon(), let m = digits(2), m < 60 else { return nil }
        var sec: Int64 = 0
        if colon() {
            guard let v = digits(2), v < 61 else { return nil }
            sec = min(v, 59)
        }
        seconds += h * 3600 + m * 60 + sec
        if i < u.count, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
            i += 1
            let start = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
            guard i > start else { return nil }
        }
        guard i < u.count else { return seconds }
        switch u[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == u.count ? seconds : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = u[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), oh <= 14 else { return nil }
            var om: Int64 = 0
            if i < u.count {
                _ = colon()
                guard let v = digits(2), v < 60 else { return nil }
                om = v
            }
            guard i == u.count else { return nil }
            return seconds - sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
    }
}

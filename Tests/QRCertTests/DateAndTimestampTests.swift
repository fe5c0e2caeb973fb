import Foundation
import QRCert
import XCTest

/// Calendar dates of records and the instants of `--at` and the claims.
final class DateAndTimestampTests: XCTestCase {
    func testCivilDateDayNumbers() throws {
        // Day numbers computed independently (Python datetime.date - date(1970, 1, 1)).
        let known: [(String, Int64)] = [("1900-01-01", -25567), ("1969-12-31", -1), ("1970-01-01", 0),
                                        ("2000-02-29", 11016), ("2024-03-01", 19783), ("2199-12-31", 84005)]
        for (text, days) in known {
            let date = try XCTUnwrap(CivilDate(text), text)
            XCTAssertEqual(date.daysSinceEpoch, days, text)
            XCTAssertEqual(date.description, text)
            XCTAssertEqual(CivilDate(daysSinceEpoch: days), date)
        }
        XCTAssertEqual(CivilDate.supportedDays, -25567...84005)
    }

    func testCivilDateRoundTripsEveryDayOfTheSupportedRange() {
        var previous: (Int64, Int64, Int64)?
        for days in CivilDate.supportedDays {
            let date = CivilDate(daysSinceEpoch: days)
            guard CivilDate(date.description) == date else { return XCTFail("\(days) -> \(date) does not read back") }
            let c = date.components
            if let (y, m, d) = previous {
                // Consecutive days: the next day of the month, or the first of the next month / year.
                let next = (d + 1 == c.day && m == c.month && y == c.year) || (c.day == 1 && ((c.month == m + 1 && y == c.year) || (m == 12 && c.month == 1 && c.year == y + 1)))
                guard next else { return XCTFail("\(y)-\(m)-\(d) is followed by \(date)") }
            }
            previous = (c.year, c.month, c.day)
        }
    }

    func testCivilDateRejects() {
        for text in ["2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
                     "1899-12-31", "2200-01-01", "2024-1-01", "2024/01/01", "20240101", " 2024-01-01", "2024-01-01 ",
                     "２０２４-01-01", "+024-01-01", "", "abcd-ef-gh"] {
            XCTAssertNil(CivilDate(text), text)
        }
        XCTAssertNotNil(CivilDate("2000-02-29"))  // divisible by 400: a leap year
        XCTAssertNotNil(CivilDate("2024-02-29"))
    }

    func testMidnightInVietnam() throws {
        let date = try XCTUnwrap(CivilDate("2024-03-01"))
        XCTAssertEqual(date.midnight(utcOffset: 7 * 3600), 1_709_226_000)  // 2024-02-29T17:00:00Z
        XCTAssertEqual(Timestamp.iso(date.midnight(utcOffset: 7 * 3600)), "2024-02-29T17:00:00Z")
    }

    func testTimestampParsesEveryISOForm() {
        let base: Int64 = 1_714_558_830  // 2024-05-01T10:20:30Z
        let cases: [(String, Int64)] = [
            ("2024-05-01T10:20:30Z", base),
            ("2024-05-01t10:20:30z", base),
            ("2024-05-01 10:20:30Z", base),
            ("2024-05-01T10:20:30", base),                    // no zone: UTC
            ("2024-05-01T10:20:30.1234567Z", base),           // 7 fraction digits (.NET), dropped
            ("2024-05-01T10:20:30,5Z", base),                 // comma fraction
            ("2024-05-01T10:20:30.999999999", base),
            ("2024-05-01T17:20:30+07:00", base),
            ("2024-05-01T17:20:30+0700", base),
            ("2024-05-01T17:20:30+07", base),
            ("2024-05-01T17:20:30.123+07:00", base),
            ("2024-05-01T06:50:30-03:30", base),
            ("2024-05-01T10:20Z", base - 30),                  // no seconds
            ("2024-05-01T10:20:60Z", base + 29),               // a leap second reads as :59
            ("2024-05-01", 1_714_521_600),                     // date only: midnight UTC
            ("  2024-05-01T10:20:30Z  ", base),
            ("@1714558830", base),
            ("@-1", -1),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(Timestamp.parse(text), expected, text)
        }
    }

    func testTimestampRejects() {
        for text in ["", "now", "2024-05-01T", "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z", "2024-05-01T10:20:61Z",
                     "2024-05-01T10:20:30+7", "2024-05-01T10:20:30+07:0", "2024-05-01T10:20:30+15:00",
                     "2024-05-01T10:20:30+07:60", "2024-05-01T10:20:30Zjunk", "2024-05-01T10:20:30.Z", "2024-05-01X10:20",
                     "2024-02-30T00:00:00Z", "01/05/2024", "@", "@12x", "2024-05-01T10:20:30 +07:00",
                     "@9223372036854775807", "@-9223372036854775808", "@7258118400", "@-2208988801"] {
            XCTAssertNil(Timestamp.parse(text), text)
        }
    }

    func testTimestampIsoAndItsInverse() {
        XCTAssertEqual(Timestamp.iso(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp.iso(-1), "1969-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp.iso(-86_400), "1969-12-31T00:00:00Z")
        XCTAssertEqual(Timestamp.iso(2_024_845_200), "2034-03-01T17:00:00Z")
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 7_258_118_400 {      // 2200-01-01
            XCTAssertEqual(Timestamp.parse(Timestamp.iso(seconds)), seconds)
            seconds += 86_400 * 37 + 3_607
        }
        // The bytes written into a buffer are the string's, inside and outside years 0-9999.
        for seconds: Int64 in [0, -1, -86_400, 2_024_845_200, 7_258_118_399, -62_167_219_200, -62_167_219_201,
                               253_402_300_799, 253_402_300_800, .max, .min] {
            var out: [UInt8] = Array("x".utf8)
            Timestamp.iso(seconds, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + Timestamp.iso(seconds), "\(seconds)")
        }
    }
}

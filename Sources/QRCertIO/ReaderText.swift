import QRCert
import QRCertFormat

/// Dates, times and the fixed phrases of `verify`, `inspect` and the scanner loop in the reader's language
/// and convention: dd/mm/yyyy and Viet Nam time in Vietnamese, ISO 8601 in English (unambiguous in logs).
/// The reasons for verdicts are in `ReasonText`; labels of record fields come from the profile.
public struct ReaderText: Sendable {
    /// The reader's language.
    public let language: Language

    /// Phrases in `language`.
    public init(language: Language) { self.language = language }

    /// Whether the reader reads Vietnamese.
    public var vi: Bool { language == .vi }

    /// A civil date: `01/03/2034` in Vietnamese, `2034-03-01` in English.
    public func date(_ date: CivilDate) -> String {
        guard vi else { return date.description }
        let (year, month, day) = date.components
        return "\(twoDigits(day))/\(twoDigits(month))/\(year)"
    }

    /// `date(date)`'s bytes appended to `out`, written in place for the years records use: ASCII digits and
    /// separators only, so nothing in them needs `DisplayText`'s escape.
    public func date(_ date: CivilDate, into out: WriteBuffer) {
        guard vi else { return date.write(into: out) }
        let (year, month, day) = date.components
        guard (1000...9999).contains(year) else { return out.append(utf8: self.date(date)) }
        let room = UnsafeMutableBufferPointer(start: out.reserve(10), count: 10)
        CivilDate.digits(day, 2, into: room, at: 0)
        room[2] = UInt8(ascii: "/")
        CivilDate.digits(month, 2, into: room, at: 3)
        room[5] = UInt8(ascii: "/")
        CivilDate.digits(year, 4, into: room, at: 6)
        out.commit(10)
    }

    /// A moment: `01/06/2025 07:00 (giờ Việt Nam)` in Vietnamese (UTC+7, the time on the inspector's watch),
    /// `2025-06-01T00:00:00Z` in English.
    public func time(_ seconds: Int64) -> String {
        guard vi else { return Timestamp.iso(seconds) }
        let local = seconds.addingReportingOverflow(7 * 3600)
        guard !local.overflow else { return Timestamp.iso(seconds) }
        let days = local.partialValue >= 0 ? local.partialValue / 86_400 : (local.partialValue - 86_399) / 86_400
        guard CivilDate.supportedDays.contains(days) else { return Timestamp.iso(seconds) }
        let inDay = local.partialValue - days * 86_400
        return "\(date(CivilDate(daysSinceEpoch: days))) \(twoDigits(inDay / 3600)):\(twoDigits(inDay % 3600 / 60)) (giờ Việt Nam)"
    }

    /// A record value as shown on the card: dates in the reader's convention, other values as the profile gives them.
    public func value(_ value: Credential.Value, _ field: Profile.Field) -> String {
        if case .date(let day) = value { return date(day) }
        return Credential.displayText(value, field)
    }

    /// A signed list's environment: `production` / `test` (the list's own words) as the reader says them.
    public func environment(_ name: String) -> String {
        guard vi else { return name }
        switch name {
        case "production": return "chính thức"
        case "test": return "thử nghiệm"
        default: return name
        }
    }

    /// The band's word for a list of the test environment: no answer under it is about a real credential.
    public var testWord: String { vi ? "THỬ NGHIỆM" : "TEST" }

    /// The technical line under a reason: `stage: message [CODE]` in English; the code alone in Vietnamese
    /// (the library's messages are English, and the code is what support looks up in docs/ERRORS.md).
    public func detail(_ error: QRCertError) -> String {
        vi ? "Mã lỗi: \(error.code)" : "\(error.stage.rawValue): \(error.message) [\(error.code)]"
    }

    /// The hint under an image that gave no payload.
    public func hint(_ error: QRCertError) -> String? {
        guard vi else { return error.hint }
        switch error.code {
        case "IMG_NO_CODE": return "Chụp mã thẳng, chiếm khoảng một phần ba ảnh, đủ sáng đều, không lóa"
        default: return nil
        }
    }

    /// Said on stderr when the scanner loop starts.
    public var waitingForScans: String {
        vi ? "qrcert: đang chờ quét mã, mỗi mã một dòng (Ctrl-D để kết thúc)" : "qrcert: waiting for scans, one per line (Ctrl-D to end)"
    }

    /// What a revocation list says about the credential, in Vietnamese (the English technical line already
    /// carries it): `Tạm đình chỉ từ 02/06/2025 đến hết 30/09/2025: hết điểm`; nil in English.
    public func withdrawal(_ entry: RevocationEntry) -> String? {
        guard vi else { return nil }
        switch entry.status {
        case .revoked: return "Thu hồi từ \(date(entry.since)): \(entry.reason)"
        case .suspended(let until): return "Tạm đình chỉ từ \(date(entry.since)) đến hết \(date(until)): \(entry.reason)"
        }
    }

    /// Said when image files were given where payloads go (`verify photo.jpg`).
    public func readingAsImages(_ files: [String]) -> String {
        vi ? "qrcert: gợi ý: đọc \(files.joined(separator: ", ")) như ảnh (qrcert verify --image TỆP ...)"
           : "qrcert: hint: reading \(files.joined(separator: ", ")) as images (qrcert verify --image FILE ...)"
    }

    private func twoDigits(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

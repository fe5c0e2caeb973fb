import Foundation
import QRCert
import QRCertIO
import QRCertFormat

/// `--at TIME`, or now.
enum TimeOption {
    static func time(_ text: String?, option: String = "--at") throws(QRCertError) -> Int64 {
        guard let text else { return Int64(Date().timeIntervalSince1970) }
        guard let parsed = Timestamp.parse(text) else {
            throw QRCertError(.usage, "USAGE", "\(option) \(text) is not an ISO 8601 time", hint: "e.g. 2030-01-01 or 2030-01-01T08:00:00+07:00")
        }
        return parsed
    }
}

import QRCert
import QRCertFormat

/// The reason for a verdict in plain words, in the inspector's language.
enum ReasonText {
    /// English: the error's own message. Vietnamese: a sentence per code, the technical message after it.
    static func plain(_ error: QRCertError, language: Language) -> String {
        guard language == .vi, let sentence = vietnamese[error.code] else { return "\(error.stage.rawValue): \(error.message)" }
        return "\(sentence) (\(error.message))"
    }

    static let vietnamese: [String: String] = [
        "PREFIX_UNKNOWN": "Mã QR không phải chứng thư của qrcert",
        "PAYLOAD_TOO_LONG": "Nội dung mã QR quá dài",
        "B45_BAD_CHAR": "Mã QR bị đọc sai hoặc bị sửa",
        "B45_BAD_LENGTH": "Mã QR bị đọc thiếu",
        "B45_OVERFLOW": "Mã QR bị đọc sai hoặc bị sửa",
        "ZLIB_BAD_DATA": "Mã QR bị hỏng",
        "ZLIB_TOO_LARGE": "Mã QR chứa dữ liệu quá lớn",
        "ZLIB_TRAILING_BYTES": "Mã QR bị hỏng",
        "COSE_BAD_STRUCTURE": "Cấu trúc chữ ký không hợp lệ",
        "COSE_BAD_TAG": "Cấu trúc chữ ký không hợp lệ",
        "COSE_BAD_HEADER": "Cấu trúc chữ ký không hợp lệ",
        "COSE_NO_ALG": "Thiếu thuật toán ký",
        "COSE_NO_KID": "Thiếu mã khóa ký",
        "KID_UNKNOWN": "Khóa ký không thuộc danh sách tin cậy",
        "ALG_UNSUPPORTED": "Thuật toán ký không được hỗ trợ",
        "ALG_KEY_MISMATCH": "Thuật toán ký không khớp với khóa",
        "SIG_INVALID": "Chữ ký không đúng: giấy tờ có thể bị làm giả hoặc sửa đổi",
        "CWT_EXPIRED": "Giấy tờ đã hết hạn",
        "CWT_NOT_YET_VALID": "Giấy tờ chưa có hiệu lực",
        "CWT_NO_EXPIRY": "Giấy tờ thiếu ngày hết hạn",
        "CERT_WINDOW": "Ngoài thời hạn của chứng thư khóa ký",
        "CWT_BAD_CLAIM": "Nội dung chứng thư sai định dạng",
        "CWT_NO_ISSUER": "Thiếu đơn vị cấp",
        "CONTENT_MISSING": "Thiếu nội dung giấy tờ",
        "CONTENT_UNKNOWN_TYPE": "Loại giấy tờ chưa được khai báo",
        "CONTENT_BAD_RECORD": "Nội dung giấy tờ sai định dạng",
        "CONTENT_BAD_FIELD": "Nội dung giấy tờ sai định dạng",
        "CONTENT_MISSING_FIELD": "Nội dung giấy tờ thiếu thông tin bắt buộc",
        "CONTENT_UNKNOWN_FIELD": "Nội dung giấy tờ có trường lạ",
        "CONTENT_WINDOW_MISMATCH": "Thời hạn ghi trong giấy tờ không khớp chữ ký",
    ]
}

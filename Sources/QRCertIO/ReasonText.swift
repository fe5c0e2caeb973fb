import QRCert
import QRCertFormat

/// The reason for a verdict in plain words, in the inspector's language.
///
/// Every code a verdict or an image result can carry has a sentence in both languages (a test reads the
/// sources for the codes); a code added later without one falls back to a sentence for its stage.
public enum ReasonText {
    /// One sentence a person at the roadside understands, without the technical detail.
    public static func sentence(_ error: QRCertError, language: Language) -> String {
        let table = language == .vi ? vietnamese : english
        if let sentence = table[error.code] { return sentence }
        let stages = language == .vi ? vietnameseStages : englishStages
        return stages[error.stage] ?? (language == .vi ? "Không kiểm tra được mã" : "The code could not be checked")
    }

    /// The sentence, then the technical message and code: `sentence (stage: message)`.
    public static func plain(_ error: QRCertError, language: Language) -> String {
        DisplayText.escaped("\(sentence(error, language: language)) (\(error.stage.rawValue): \(error.message))")
    }

    static let english: [String: String] = [
        // What a photo or a file can fail with before any payload is read.
        "IMG_NO_CODE": "No readable QR code in this image",
        "IMG_UNSUPPORTED": "This file is not a PNG or JPEG image",
        "IMG_BAD_DATA": "The image file is damaged",
        "IMG_TOO_LARGE": "The image is too large to read",
        "IMG_DECODER_FAILED": "The QR reader failed on this image",
        "IO_READ": "The file cannot be read",
        // Decoding.
        "PREFIX_UNKNOWN": "This QR code is not a qrcert or EU DCC certificate",
        "PAYLOAD_TOO_LONG": "The QR code holds far more text than any certificate",
        "B45_BAD_CHAR": "The code was misread or altered: it holds a character no certificate contains",
        "B45_BAD_LENGTH": "The code was read incompletely: its text is cut short",
        "B45_OVERFLOW": "The code was misread or altered",
        "ZLIB_BAD_DATA": "The code's content is damaged",
        "ZLIB_TOO_LARGE": "The code unpacks to far more data than any certificate",
        "ZLIB_TRAILING_BYTES": "The code's content is damaged: extra data after its end",
        "ZLIB_INTERNAL": "The code's content could not be unpacked",
        "CBOR_BAD_UTF8": "The certificate's data is malformed: bad text",
        "CBOR_DUPLICATE_KEY": "The certificate's data is malformed: a field appears twice",
        "CBOR_INDEFINITE": "The certificate's data is malformed",
        "CBOR_NOT_CANONICAL": "The certificate's data is not in the strict form issuers write",
        "CBOR_RESERVED": "The certificate's data is malformed",
        "CBOR_TOO_DEEP": "The certificate's data is malformed: nested too deeply",
        "CBOR_TOO_MANY_ITEMS": "The certificate's data is malformed: too many items",
        "CBOR_TRAILING_BYTES": "The certificate's data is malformed: extra data after its end",
        "CBOR_TRUNCATED": "The certificate's data is cut short",
        "CBOR_UNEXPECTED_BREAK": "The certificate's data is malformed",
        "COSE_BAD_STRUCTURE": "The signature envelope is malformed",
        "COSE_BAD_TAG": "The signature envelope is malformed",
        "COSE_BAD_HEADER": "The signature envelope is malformed",
        "COSE_NO_ALG": "The signature does not say which algorithm made it",
        "COSE_CRIT_UNKNOWN": "The signature envelope requires a feature qrcert does not understand",
        "COSE_NO_KID": "The signature does not say which key made it",
        // Key and signature.
        "KID_UNKNOWN": "Signed with a key that is not on the trusted list: the issuer is not recognised",
        "ALG_UNSUPPORTED": "Signed with an algorithm qrcert does not accept",
        "ALG_KEY_MISMATCH": "The signature's algorithm does not match the issuer's key",
        "SIG_INVALID": "The signature does not match: the document may be forged or altered",
        // Validity window.
        "CWT_EXPIRED": "The document has expired",
        "CWT_NOT_YET_VALID": "The document is not valid yet",
        "CWT_NO_EXPIRY": "The document has no expiry date although its type requires one",
        "CERT_WINDOW": "Outside the validity period of the issuer's signing certificate",
        // Content.
        "CWT_BAD_CLAIM": "The certificate's contents are malformed",
        "CWT_NOT_MAP": "The certificate's contents are malformed",
        "CWT_NO_ISSUER": "The certificate does not name its issuer",
        "CWT_BAD_ISSUER": "The issuer's name in the certificate is malformed",
        "CONTENT_BAD_CTI": "The certificate's id is malformed",
        "CONTENT_MISSING": "The certificate carries no licence or permit",
        "CONTENT_UNKNOWN_TYPE": "Unknown document type: this computer has no profile for it",
        "CONTENT_BAD_RECORD": "The licence data is malformed",
        "CONTENT_SPECIMEN": "This is a SPECIMEN (a sample for training), not a real document",
        "CONTENT_BAD_FIELD": "The licence data is malformed",
        "CONTENT_MISSING_FIELD": "The licence data lacks a required field",
        "CONTENT_UNKNOWN_FIELD": "The licence data has a field its type does not define",
        "CONTENT_WINDOW_MISMATCH": "The dates in the licence do not match the signed validity period",
        // Trust list and revocation list (docs/TRUST.md).
        "CERT_NOT_SIGNER": "The issuer's certificate is not a signing certificate: it cannot sign documents",
        "CHAIN_UNTRUSTED": "The issuer's certificate is not issued by a trusted national authority",
        "CHAIN_BAD_SIGNATURE": "The issuer's certificate is forged: the national authority did not sign it",
        "CHAIN_EXPIRED": "The issuer's certificate was not valid when the document was issued",
        "CHAIN_CA_INVALID": "The issuer's certificate was issued by a certificate that may not issue certificates",
        "CHAIN_FAILED": "The issuer's certificate cannot be checked against the national authority",
        "COSE_BAD_X5CHAIN": "The certificate carried in the code is damaged",
        "KEY_COMPROMISED": "Signed with a key the authority withdrew as compromised: nothing it signed is accepted",
        "KEY_SCOPE": "The issuer's key is not allowed to sign this kind of document",
        "KEY_EXPIRED": "The issuer's signing key is past its validity: the document must be issued again",
        "KEY_NOT_YET_VALID": "The issuer's signing key is not valid yet",
        "KEY_RETIRED": "Issued with a key the issuer had already retired",
        "CTI_REVOKED": "The document has been revoked",
        "CTI_SUSPENDED": "The document is suspended",
        "CTI_MISSING": "The document has no certificate id, so it cannot be checked against the revocation list",
    ]

    static let vietnamese: [String: String] = [
        "IMG_NO_CODE": "Không tìm thấy mã QR đọc được trong ảnh này",
        "IMG_UNSUPPORTED": "Tệp này không phải ảnh PNG hoặc JPEG",
        "IMG_BAD_DATA": "Tệp ảnh bị hỏng",
        "IMG_TOO_LARGE": "Ảnh quá lớn, không đọc được",
        "IMG_DECODER_FAILED": "Bộ đọc mã QR gặp lỗi với ảnh này",
        "IO_READ": "Không đọc được tệp",
        "PREFIX_UNKNOWN": "Mã QR này không phải chứng thư qrcert hay EU DCC",
        "PAYLOAD_TOO_LONG": "Mã QR chứa nội dung dài bất thường, không phải chứng thư",
        "B45_BAD_CHAR": "Mã bị đọc sai hoặc đã bị sửa: có ký tự không bao giờ có trong chứng thư",
        "B45_BAD_LENGTH": "Mã bị đọc thiếu: nội dung bị cắt ngắn",
        "B45_OVERFLOW": "Mã bị đọc sai hoặc đã bị sửa",
        "ZLIB_BAD_DATA": "Nội dung mã bị hỏng",
        "ZLIB_TOO_LARGE": "Nội dung mã giải nén ra quá lớn, không phải chứng thư",
        "ZLIB_TRAILING_BYTES": "Nội dung mã bị hỏng: có dữ liệu thừa ở cuối",
        "ZLIB_INTERNAL": "Không giải nén được nội dung mã",
        "CBOR_BAD_UTF8": "Dữ liệu chứng thư sai định dạng: lỗi mã hóa chữ",
        "CBOR_DUPLICATE_KEY": "Dữ liệu chứng thư sai định dạng: một trường xuất hiện hai lần",
        "CBOR_INDEFINITE": "Dữ liệu chứng thư sai định dạng",
        "CBOR_NOT_CANONICAL": "Dữ liệu chứng thư không đúng dạng chuẩn mà đơn vị cấp phải dùng",
        "CBOR_RESERVED": "Dữ liệu chứng thư sai định dạng",
        "CBOR_TOO_DEEP": "Dữ liệu chứng thư sai định dạng: lồng nhau quá sâu",
        "CBOR_TOO_MANY_ITEMS": "Dữ liệu chứng thư sai định dạng: quá nhiều phần tử",
        "CBOR_TRAILING_BYTES": "Dữ liệu chứng thư sai định dạng: có dữ liệu thừa ở cuối",
        "CBOR_TRUNCATED": "Dữ liệu chứng thư bị cắt ngắn",
        "CBOR_UNEXPECTED_BREAK": "Dữ liệu chứng thư sai định dạng",
        "COSE_BAD_STRUCTURE": "Cấu trúc phần chữ ký không hợp lệ",
        "COSE_BAD_TAG": "Cấu trúc phần chữ ký không hợp lệ",
        "COSE_BAD_HEADER": "Cấu trúc phần chữ ký không hợp lệ",
        "COSE_NO_ALG": "Chữ ký không ghi thuật toán đã dùng",
        "COSE_CRIT_UNKNOWN": "Phần chữ ký yêu cầu một tính năng mà qrcert không hỗ trợ",
        "COSE_NO_KID": "Chữ ký không ghi khóa nào đã ký",
        "KID_UNKNOWN": "Được ký bằng khóa không có trong danh sách tin cậy: không xác định được đơn vị cấp",
        "ALG_UNSUPPORTED": "Được ký bằng thuật toán không được chấp nhận",
        "ALG_KEY_MISMATCH": "Thuật toán ký không khớp với khóa của đơn vị cấp",
        "SIG_INVALID": "Chữ ký không khớp: giấy tờ có thể đã bị làm giả hoặc sửa đổi",
        "CWT_EXPIRED": "Giấy tờ đã hết hạn",
        "CWT_NOT_YET_VALID": "Giấy tờ chưa đến ngày có hiệu lực",
        "CWT_NO_EXPIRY": "Giấy tờ không ghi ngày hết hạn, dù loại giấy tờ này bắt buộc phải có",
        "CERT_WINDOW": "Nằm ngoài thời hạn của chứng thư khóa ký của đơn vị cấp",
        "CWT_BAD_CLAIM": "Nội dung chứng thư sai định dạng",
        "CWT_NOT_MAP": "Nội dung chứng thư sai định dạng",
        "CWT_NO_ISSUER": "Chứng thư không ghi đơn vị cấp",
        "CWT_BAD_ISSUER": "Tên đơn vị cấp trong chứng thư sai định dạng",
        "CONTENT_BAD_CTI": "Mã định danh của chứng thư sai định dạng",
        "CONTENT_MISSING": "Chứng thư không chứa giấy phép hay giấy tờ nào",
        "CONTENT_UNKNOWN_TYPE": "Loại giấy tờ chưa được khai báo trên máy này",
        "CONTENT_BAD_RECORD": "Dữ liệu giấy tờ sai định dạng",
        "CONTENT_SPECIMEN": "Đây là MẪU (dùng để đào tạo), không phải giấy tờ thật",
        "CONTENT_BAD_FIELD": "Dữ liệu giấy tờ sai định dạng",
        "CONTENT_MISSING_FIELD": "Dữ liệu giấy tờ thiếu thông tin bắt buộc",
        "CONTENT_UNKNOWN_FIELD": "Dữ liệu giấy tờ có trường không thuộc loại giấy tờ này",
        "CONTENT_WINDOW_MISMATCH": "Thời hạn ghi trong giấy tờ không khớp với thời hạn đã ký",
        "CERT_NOT_SIGNER": "Chứng thư của đơn vị cấp không phải chứng thư ký: không được dùng để ký giấy tờ",
        "CHAIN_UNTRUSTED": "Chứng thư của đơn vị cấp không do cơ quan gốc quốc gia tin cậy cấp",
        "CHAIN_BAD_SIGNATURE": "Chứng thư của đơn vị cấp bị giả mạo: cơ quan gốc quốc gia không ký chứng thư này",
        "CHAIN_EXPIRED": "Chứng thư của đơn vị cấp không còn hiệu lực vào lúc cấp giấy tờ",
        "CHAIN_CA_INVALID": "Chứng thư của đơn vị cấp do một chứng thư không có quyền cấp chứng thư cấp ra",
        "CHAIN_FAILED": "Không kiểm tra được chứng thư của đơn vị cấp với cơ quan gốc quốc gia",
        "COSE_BAD_X5CHAIN": "Chứng thư kèm trong mã bị hỏng",
        "KEY_COMPROMISED": "Được ký bằng khóa đã bị cơ quan quản lý thu hồi vì lộ: mọi giấy tờ ký bằng khóa này đều không được chấp nhận",
        "KEY_SCOPE": "Khóa của đơn vị cấp không được phép ký loại giấy tờ này",
        "KEY_EXPIRED": "Khóa ký của đơn vị cấp đã hết thời hạn: giấy tờ cần được cấp lại",
        "KEY_NOT_YET_VALID": "Khóa ký của đơn vị cấp chưa có hiệu lực",
        "KEY_RETIRED": "Được cấp bằng khóa mà đơn vị cấp đã ngừng sử dụng",
        "CTI_REVOKED": "Giấy tờ đã bị thu hồi",
        "CTI_SUSPENDED": "Giấy tờ đang bị tạm đình chỉ",
        "CTI_MISSING": "Giấy tờ không có mã định danh nên không đối chiếu được với danh sách thu hồi",
    ]

    /// For a code without its own sentence (one added after this table): what its stage means.
    static let englishStages: [QRCertError.Stage: String] = [
        .prefix: "This QR code is not a certificate qrcert knows",
        .base45: "The code was misread or altered",
        .zlib: "The code's content is damaged",
        .cbor: "The certificate's data is malformed",
        .cose: "The signature envelope is malformed",
        .key: "The signing key is not accepted",
        .signature: "The signature does not match: the document may be forged or altered",
        .validity: "The document is outside its validity period",
        .content: "The licence data is not acceptable",
        .revocation: "The document has been revoked",
        .image: "No code could be read from this image",
        .io: "The file cannot be read",
        .trust: "The trusted list cannot be used",
    ]

    static let vietnameseStages: [QRCertError.Stage: String] = [
        .prefix: "Mã QR này không phải chứng thư mà qrcert nhận biết",
        .base45: "Mã bị đọc sai hoặc đã bị sửa",
        .zlib: "Nội dung mã bị hỏng",
        .cbor: "Dữ liệu chứng thư sai định dạng",
        .cose: "Cấu trúc phần chữ ký không hợp lệ",
        .key: "Khóa ký không được chấp nhận",
        .signature: "Chữ ký không khớp: giấy tờ có thể đã bị làm giả hoặc sửa đổi",
        .validity: "Giấy tờ nằm ngoài thời hạn hiệu lực",
        .content: "Dữ liệu giấy tờ không hợp lệ",
        .revocation: "Giấy tờ đã bị thu hồi",
        .image: "Không đọc được mã nào từ ảnh này",
        .io: "Không đọc được tệp",
        .trust: "Không dùng được danh sách tin cậy",
    ]
}

import Foundation
import QRCertFormat

/// The profiles shipped inside the binary, so that a copied binary needs no resource folder.
/// `qrcert profiles show NAME` prints each one as a starting point for a user's own file.
public enum BuiltinProfiles {
    /// Names accepted by `--profile`.
    public static let names = ["driving-licence", "transport-permit", "construction-permit"]

    /// The JSON text of a built-in profile.
    public static func json(named name: String) -> String? {
        switch name {
        case "driving-licence": return drivingLicence
        case "transport-permit": return transportPermit
        case "construction-permit": return constructionPermit
        default: return nil
        }
    }

    /// Every built-in profile, parsed.
    public static func all() throws(QRCertError) -> [Profile] {
        var profiles: [Profile] = []
        for name in names {
            guard let text = json(named: name) else { continue }
            profiles.append(try Profile.load(json: Data(text.utf8), source: "built-in profile \(name)"))
        }
        return profiles
    }

    /// Vietnamese driving licence (Giấy phép lái xe), classes of the 2024 Road Traffic Order and Safety Law.
    /// Field names match `gen_records.py`; A1, A and B1 never expire.
    static let drivingLicence = #"""
    {
      "type": "vn.dl",
      "name": {"vi": "Giấy phép lái xe", "en": "Driving licence"},
      "id_field": "licence_no",
      "valid_from": "issue_date",
      "valid_until": "expiry_date",
      "no_expiry_when": {"field": "class", "values": ["A1", "A", "B1"]},
      "utc_offset": "+07:00",
      "fields": [
        {"name": "licence_no", "key": 1, "type": "text", "required": true, "max_length": 20,
         "label": {"vi": "Số GPLX", "en": "Licence no."}},
        {"name": "full_name", "key": 2, "type": "text", "required": true, "max_length": 100,
         "label": {"vi": "Họ và tên", "en": "Full name"}},
        {"name": "sex", "key": 3, "type": "enum", "required": true, "values": ["Nam", "Nữ"],
         "label": {"vi": "Giới tính", "en": "Sex"}},
        {"name": "date_of_birth", "key": 4, "type": "date", "required": true,
         "label": {"vi": "Ngày sinh", "en": "Date of birth"}},
        {"name": "class", "key": 5, "type": "enum", "required": true,
         "values": ["A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE"],
         "label": {"vi": "Hạng", "en": "Class"}},
        {"name": "issue_date", "key": 6, "type": "date", "required": true,
         "label": {"vi": "Ngày cấp", "en": "Issue date"}},
        {"name": "expiry_date", "key": 7, "type": "date", "required": false,
         "label": {"vi": "Có giá trị đến", "en": "Valid until"}},
        {"name": "issuing_authority", "key": 8, "type": "text", "required": true, "max_length": 100,
         "label": {"vi": "Nơi cấp", "en": "Issued by"}},
        {"name": "nationality", "key": 9, "type": "text", "required": true, "max_length": 3,
         "label": {"vi": "Quốc tịch", "en": "Nationality"}},
        {"name": "address", "key": 10, "type": "text", "required": false, "max_length": 200,
         "label": {"vi": "Nơi cư trú", "en": "Address"}}
      ]
    }
    """#

    /// Road transport business permit (Giấy phép kinh doanh vận tải bằng xe ô tô); issued without a term.
    static let transportPermit = #"""
    {
      "type": "vn.tp",
      "name": {"vi": "Giấy phép kinh doanh vận tải bằng xe ô tô", "en": "Road transport business permit"},
      "id_field": "permit_no",
      "valid_from": "issue_date",
      "valid_until": null,
      "utc_offset": "+07:00",
      "fields": [
        {"name": "permit_no", "key": 1, "type": "text", "required": true, "max_length": 30,
         "label": {"vi": "Số giấy phép", "en": "Permit no."}},
        {"name": "business_name", "key": 2, "type": "text", "required": true, "max_length": 200,
         "label": {"vi": "Tên đơn vị kinh doanh", "en": "Business name"}},
        {"name": "tax_code", "key": 3, "type": "text", "required": true, "max_length": 14,
         "label": {"vi": "Mã số doanh nghiệp", "en": "Enterprise code"}},
        {"name": "representative", "key": 4, "type": "text", "required": true, "max_length": 100,
         "label": {"vi": "Người đại diện theo pháp luật", "en": "Legal representative"}},
        {"name": "address", "key": 5, "type": "text", "required": true, "max_length": 200,
         "label": {"vi": "Địa chỉ trụ sở", "en": "Head office"}},
        {"name": "business_type", "key": 6, "type": "enum", "required": true,
         "values": ["Vận tải hành khách theo tuyến cố định", "Vận tải hành khách bằng xe buýt",
                    "Vận tải hành khách bằng xe taxi", "Vận tải hành khách theo hợp đồng",
                    "Vận tải khách du lịch", "Vận tải hàng hóa bằng công-ten-nơ", "Vận tải hàng hóa"],
         "label": {"vi": "Loại hình kinh doanh", "en": "Type of business"}},
        {"name": "issue_date", "key": 7, "type": "date", "required": true,
         "label": {"vi": "Ngày cấp", "en": "Issue date"}},
        {"name": "issuing_authority", "key": 8, "type": "text", "required": true, "max_length": 100,
         "label": {"vi": "Cơ quan cấp", "en": "Issued by"}}
      ]
    }
    """#

    /// Construction permit (Giấy phép xây dựng); it lapses if works have not started by `start_deadline`.
    static let constructionPermit = #"""
    {
      "type": "vn.cp",
      "name": {"vi": "Giấy phép xây dựng", "en": "Construction permit"},
      "id_field": "permit_no",
      "valid_from": "issue_date",
      "valid_until": "start_deadline",
      "utc_offset": "+07:00",
      "fields": [
        {"name": "permit_no", "key": 1, "type": "text", "required": true, "max_length": 30,
         "label": {"vi": "Số giấy phép", "en": "Permit no."}},
        {"name": "owner", "key": 2, "type": "text", "required": true, "max_length": 200,
         "label": {"vi": "Chủ đầu tư", "en": "Owner"}},
        {"name": "permit_type", "key": 3, "type": "enum", "required": true,
         "values": ["Xây dựng mới", "Sửa chữa, cải tạo", "Di dời công trình", "Có thời hạn"],
         "label": {"vi": "Loại giấy phép", "en": "Permit type"}},
        {"name": "project", "key": 4, "type": "text", "required": true, "max_length": 200,
         "label": {"vi": "Công trình", "en": "Works"}},
        {"name": "site", "key": 5, "type": "text", "required": true, "max_length": 200,
         "label": {"vi": "Địa điểm xây dựng", "en": "Site"}},
        {"name": "land_plot", "key": 6, "type": "text", "required": false, "max_length": 60,
         "label": {"vi": "Thửa đất / tờ bản đồ", "en": "Land plot / map sheet"}},
        {"name": "floors", "key": 7, "type": "text", "required": false, "max_length": 40,
         "label": {"vi": "Số tầng", "en": "Floors"}},
        {"name": "floor_area_m2", "key": 8, "type": "text", "required": false, "max_length": 20,
         "label": {"vi": "Tổng diện tích sàn (m²)", "en": "Total floor area (m²)"}},
        {"name": "issue_date", "key": 9, "type": "date", "required": true,
         "label": {"vi": "Ngày cấp", "en": "Issue date"}},
        {"name": "start_deadline", "key": 10, "type": "date", "required": true,
         "label": {"vi": "Khởi công trước ngày", "en": "Works to start by"}},
        {"name": "issuing_authority", "key": 11, "type": "text", "required": true, "max_length": 100,
         "label": {"vi": "Cơ quan cấp", "en": "Issued by"}}
      ]
    }
    """#
}

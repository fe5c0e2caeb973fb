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
    /// Field names match `gen_records.py`; A1, A and B1 never expire. The issuing authorities' dictionary
    /// (docs/FORMAT.md §9.3) lists the national and provincial traffic police, then the Road Administration and
    /// the provincial Departments of Transport that issued licences before 1 March 2025: append, never reorder.
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
        {"name": "licence_no", "key": 1, "type": "text", "required": true, "max_length": 20, "digits": true,
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
         "dictionary": ["Cục Cảnh sát giao thông", "Phòng CSGT Công an TP. Hà Nội",
                        "Phòng CSGT Công an TP. Hồ Chí Minh", "Phòng CSGT Công an TP. Đà Nẵng",
                        "Phòng CSGT Công an TP. Hải Phòng", "Phòng CSGT Công an TP. Cần Thơ",
                        "Phòng CSGT Công an TP. Huế", "Phòng CSGT Công an Hà Nội", "Phòng CSGT Công an Đà Nẵng",
                        "Phòng CSGT Công an Hải Phòng", "Phòng CSGT Công an Cần Thơ", "Phòng CSGT Công an An Giang",
                        "Phòng CSGT Công an Bà Rịa - Vũng Tàu", "Phòng CSGT Công an Bắc Giang",
                        "Phòng CSGT Công an Bắc Kạn", "Phòng CSGT Công an Bạc Liêu", "Phòng CSGT Công an Bắc Ninh",
                        "Phòng CSGT Công an Bến Tre", "Phòng CSGT Công an Bình Định",
                        "Phòng CSGT Công an Bình Dương", "Phòng CSGT Công an Bình Phước",
                        "Phòng CSGT Công an Bình Thuận", "Phòng CSGT Công an Cà Mau", "Phòng CSGT Công an Cao Bằng",
                        "Phòng CSGT Công an Đắk Lắk", "Phòng CSGT Công an Đắk Nông", "Phòng CSGT Công an Điện Biên",
                        "Phòng CSGT Công an Đồng Nai", "Phòng CSGT Công an Đồng Tháp", "Phòng CSGT Công an Gia Lai",
                        "Phòng CSGT Công an Hà Giang", "Phòng CSGT Công an Hà Nam", "Phòng CSGT Công an Hà Tĩnh",
                        "Phòng CSGT Công an Hải Dương", "Phòng CSGT Công an Hậu Giang",
                        "Phòng CSGT Công an Hòa Bình", "Phòng CSGT Công an Hưng Yên", "Phòng CSGT Công an Khánh Hòa",
                        "Phòng CSGT Công an Kiên Giang", "Phòng CSGT Công an Kon Tum", "Phòng CSGT Công an Lai Châu",
                        "Phòng CSGT Công an Lâm Đồng", "Phòng CSGT Công an Lạng Sơn", "Phòng CSGT Công an Lào Cai",
                        "Phòng CSGT Công an Long An", "Phòng CSGT Công an Nam Định", "Phòng CSGT Công an Nghệ An",
                        "Phòng CSGT Công an Ninh Bình", "Phòng CSGT Công an Ninh Thuận",
                        "Phòng CSGT Công an Phú Thọ", "Phòng CSGT Công an Phú Yên", "Phòng CSGT Công an Quảng Bình",
                        "Phòng CSGT Công an Quảng Nam", "Phòng CSGT Công an Quảng Ngãi",
                        "Phòng CSGT Công an Quảng Ninh", "Phòng CSGT Công an Quảng Trị",
                        "Phòng CSGT Công an Sóc Trăng", "Phòng CSGT Công an Sơn La", "Phòng CSGT Công an Tây Ninh",
                        "Phòng CSGT Công an Thái Bình", "Phòng CSGT Công an Thái Nguyên",
                        "Phòng CSGT Công an Thanh Hóa", "Phòng CSGT Công an Thừa Thiên Huế",
                        "Phòng CSGT Công an Tiền Giang", "Phòng CSGT Công an Trà Vinh",
                        "Phòng CSGT Công an Tuyên Quang", "Phòng CSGT Công an Vĩnh Long",
                        "Phòng CSGT Công an Vĩnh Phúc", "Phòng CSGT Công an Yên Bái", "Cục Đường bộ Việt Nam",
                        "Sở GTVT TP. Hà Nội", "Sở GTVT TP. Hồ Chí Minh", "Sở GTVT TP. Đà Nẵng",
                        "Sở GTVT TP. Hải Phòng", "Sở GTVT TP. Cần Thơ", "Sở GTVT TP. Huế", "Sở GTVT Hà Nội",
                        "Sở GTVT Đà Nẵng", "Sở GTVT Hải Phòng", "Sở GTVT Cần Thơ", "Sở GTVT An Giang",
                        "Sở GTVT Bà Rịa - Vũng Tàu", "Sở GTVT Bắc Giang", "Sở GTVT Bắc Kạn", "Sở GTVT Bạc Liêu",
                        "Sở GTVT Bắc Ninh", "Sở GTVT Bến Tre", "Sở GTVT Bình Định", "Sở GTVT Bình Dương",
                        "Sở GTVT Bình Phước", "Sở GTVT Bình Thuận", "Sở GTVT Cà Mau", "Sở GTVT Cao Bằng",
                        "Sở GTVT Đắk Lắk", "Sở GTVT Đắk Nông", "Sở GTVT Điện Biên", "Sở GTVT Đồng Nai",
                        "Sở GTVT Đồng Tháp", "Sở GTVT Gia Lai", "Sở GTVT Hà Giang", "Sở GTVT Hà Nam",
                        "Sở GTVT Hà Tĩnh", "Sở GTVT Hải Dương", "Sở GTVT Hậu Giang", "Sở GTVT Hòa Bình",
                        "Sở GTVT Hưng Yên", "Sở GTVT Khánh Hòa", "Sở GTVT Kiên Giang", "Sở GTVT Kon Tum",
                        "Sở GTVT Lai Châu", "Sở GTVT Lâm Đồng", "Sở GTVT Lạng Sơn", "Sở GTVT Lào Cai",
                        "Sở GTVT Long An", "Sở GTVT Nam Định", "Sở GTVT Nghệ An", "Sở GTVT Ninh Bình",
                        "Sở GTVT Ninh Thuận", "Sở GTVT Phú Thọ", "Sở GTVT Phú Yên", "Sở GTVT Quảng Bình",
                        "Sở GTVT Quảng Nam", "Sở GTVT Quảng Ngãi", "Sở GTVT Quảng Ninh", "Sở GTVT Quảng Trị",
                        "Sở GTVT Sóc Trăng", "Sở GTVT Sơn La", "Sở GTVT Tây Ninh", "Sở GTVT Thái Bình",
                        "Sở GTVT Thái Nguyên", "Sở GTVT Thanh Hóa", "Sở GTVT Thừa Thiên Huế", "Sở GTVT Tiền Giang",
                        "Sở GTVT Trà Vinh", "Sở GTVT Tuyên Quang", "Sở GTVT Vĩnh Long", "Sở GTVT Vĩnh Phúc",
                        "Sở GTVT Yên Bái"],
         "label": {"vi": "Nơi cấp", "en": "Issued by"}},
        {"name": "nationality", "key": 9, "type": "text", "required": true, "max_length": 3,
         "dictionary": ["VNM", "KOR", "CHN", "JPN", "USA", "FRA", "LAO", "KHM", "THA", "TWN"],
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
        {"name": "tax_code", "key": 3, "type": "text", "required": true, "max_length": 14, "digits": true,
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

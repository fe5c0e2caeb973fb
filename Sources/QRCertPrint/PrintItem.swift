public import QRCertImage

/// One credential as it is printed: its QR symbol and the text a person reads beside it.
///
/// The caller turns a credential into this (labels in the profile's language, values as a person reads them);
/// the layouts only place it. Every text is NFC and is drawn as given.
public struct PrintItem: Sendable {
    /// One human-readable field: its label and its value.
    public struct Field: Sendable, Equatable {
        /// The label, e.g. `Họ và tên`.
        public var label: String
        /// The value, e.g. `Nguyễn Văn An`.
        public var value: String

        /// A field.
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The symbol to draw.
    public var code: QRCode
    /// The record's id (sheet and stamp captions).
    public var id: String
    /// The holder's name (sheet and stamp captions).
    public var name: String
    /// The credential's name, e.g. `Giấy phép lái xe` (card title).
    public var title: String
    /// The credential's name in a second language, e.g. `Driving licence` (card subtitle), or empty.
    public var subtitle: String
    /// The fields shown on a card, in order.
    public var fields: [Field]
    /// Who signed it (the CWT `iss`), printed at the foot of a card.
    public var issuer: String
    /// The label printed before `issuer`, e.g. `Ký số bởi / Signed by`.
    public var issuerLabel: String
    /// PDF creation date, `YYYY-MM-DDThh:mm:ss+hh:mm` (the record's issue date keeps a card's bytes reproducible).
    public var date: String?

    /// An item.
    public init(code: QRCode, id: String, name: String, title: String, subtitle: String = "", fields: [Field],
                issuer: String, issuerLabel: String, date: String? = nil) {
        self.code = code
        self.id = id
        self.name = name
        self.title = title
        self.subtitle = subtitle
        self.fields = fields
        self.issuer = issuer
        self.issuerLabel = issuerLabel
        self.date = date
    }
}

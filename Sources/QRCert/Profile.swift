import Foundation
import QRCertFormat

/// A credential profile: what a kind of licence or permit contains and how it is encoded.
///
/// Profiles are JSON files (docs/PROFILES.md). Field keys and enumeration values are part of the
/// wire format: they may be appended to, never renumbered or reordered.
public struct Profile: Sendable, Codable, Equatable {
    /// A text in Vietnamese and English.
    public struct Text: Sendable, Codable, Equatable {
        /// Vietnamese.
        public var vi: String
        /// English.
        public var en: String

        /// The text in `language`.
        public func `in`(_ language: Language) -> String { language == .vi ? vi : en }
    }

    /// Field value kinds and their compact encodings (docs/FORMAT.md §4).
    public enum FieldType: String, Sendable, Codable {
        /// Text, NFC; a CBOR text string, or VISCII bytes when it is Vietnamese (docs/FORMAT.md §4.5).
        case text
        /// `YYYY-MM-DD`; CBOR unsigned integer: days since 1970-01-01.
        case date
        /// One of `values`; CBOR unsigned integer: its index.
        case `enum`
    }

    /// One field of the record.
    public struct Field: Sendable, Codable, Equatable {
        /// Column / JSON key name.
        public var name: String
        /// CBOR map key in the payload (1...23 fit in one byte).
        public var key: Int64
        /// Value kind.
        public var type: FieldType
        /// Whether an empty value is an error.
        public var required: Bool
        /// Labels shown by `verify` and `inspect`.
        public var label: Text
        /// Allowed values of an `enum` field, in wire order.
        public var values: [String]?
        /// Longest accepted text, in characters.
        public var maxLength: Int?
        /// Common values of a `text` field, in wire order: the compact encoding (`QC2:`) writes one of them as its
        /// index and any other text as text (docs/FORMAT.md §9.3). Append new values, never reorder.
        public var dictionary: [String]?
        /// Whether the compact encoding writes a `text` value of 1 to 19 ASCII digits (a licence number) as its
        /// digit count and integer value (docs/FORMAT.md §9.3).
        public var digits: Bool?

        enum CodingKeys: String, CodingKey {
            case name, key, type, required, label, values, dictionary, digits
            case maxLength = "max_length"
        }
    }

    /// The rule that lets a credential have no expiry: when `field` holds one of `values`.
    public struct NoExpiryRule: Sendable, Codable, Equatable {
        /// The deciding field (e.g. `class`).
        public var field: String
        /// The values that never expire (e.g. `A1`, `A`, `B1`).
        public var values: [String]
    }

    /// Credential type carried in the payload (e.g. `vn.dl`).
    public var type: String {
        get { storage.type }
        set { unique().type = newValue }
    }
    /// Human name.
    public var name: Text {
        get { storage.name }
        set { unique().name = newValue }
    }
    /// Field whose value identifies the record (file names, manifest, duplicate check).
    public var idField: String {
        get { storage.idField }
        set { unique().idField = newValue; storage.index() }
    }
    /// Date field giving `iat` and `nbf`.
    public var validFrom: String {
        get { storage.validFrom }
        set { unique().validFrom = newValue; storage.index() }
    }
    /// Date field giving `exp`; `nil` means this credential type never expires (said explicitly in the file).
    public var validUntil: String? {
        get { storage.validUntil }
        set { unique().validUntil = newValue; storage.index() }
    }
    /// When `validUntil` may be empty.
    public var noExpiryWhen: NoExpiryRule? {
        get { storage.noExpiryWhen }
        set { unique().noExpiryWhen = newValue; storage.index() }
    }
    /// Offset of the issuing office's civil time, e.g. `+07:00`: dates start at its midnight.
    public var utcOffset: String {
        get { storage.utcOffset }
        set { unique().utcOffset = newValue }
    }
    /// The fields, in display order.
    public var fields: [Field] {
        get { storage.fields }
        _modify {
            let storage = unique()
            defer { storage.index() }
            yield &storage.fields
        }
    }

    /// The profile's members in one shared, copy-on-write box: a verifier copies a profile into every credential
    /// and verdict, and a copy is then one reference, not a dozen (docs/PERFORMANCE.md).
    private var storage: Storage

    /// The box, unshared before a change.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    // Changed only through `unique()` (or while a decoder builds it), while no other profile refers to it: that is
    // what makes it Sendable, and what makes the run-time exclusivity check of each member redundant.
    final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) var type = "", name = Text(vi: "", en: ""), idField = "", validFrom = ""
        @exclusivity(unchecked) var validUntil: String?, noExpiryWhen: NoExpiryRule?, utcOffset = ""
        @exclusivity(unchecked) var fields: [Field] = [], utcOffsetSeconds: Int64 = 0
        /// Each field's wire key, by position (what a record's keys are looked up in).
        @exclusivity(unchecked) private(set) var keys: [Int64] = []
        /// The positions of the fields `idField`, `validFrom`, `validUntil` and `noExpiryWhen.field` name.
        @exclusivity(unchecked) private(set) var idPosition: Int?, validFromPosition: Int?, validUntilPosition: Int?
        @exclusivity(unchecked) private(set) var noExpiryPosition: Int?

        init() {}

        init(copying other: Storage) {
            (type, name, idField, validFrom, validUntil) = (other.type, other.name, other.idField, other.validFrom, other.validUntil)
            (noExpiryWhen, utcOffset, fields, utcOffsetSeconds) = (other.noExpiryWhen, other.utcOffset, other.fields, other.utcOffsetSeconds)
            index()
        }

        /// Recomputes the look-up tables after a change to the fields or to a name they are found by.
        func index() {
            keys = fields.map(\.key)
            func position(_ name: String?) -> Int? { name.flatMap { name in fields.firstIndex { $0.name == name } } }
            idPosition = position(idField)
            validFromPosition = position(validFrom)
            validUntilPosition = position(validUntil)
            noExpiryPosition = position(noExpiryWhen?.field)
        }
    }

    /// Each field's wire key, by position.
    var fieldKeys: [Int64] { storage.keys }

    /// The position in `fields` of the field with wire key `key` (what `Credential.Entry.position` holds).
    public func position(key: Int64) -> Int? { storage.keys.firstIndex(of: key) }

    /// The position in `fields` of the field called `name`.
    public func position(named name: String) -> Int? { storage.fields.firstIndex { $0.name == name } }

    /// The position in `fields` of the `idField` field (nil when no field has that name), kept with the fields.
    public var idPosition: Int? { storage.idPosition }
    /// The position in `fields` of the `validFrom` field (nil when no field has that name).
    public var validFromPosition: Int? { storage.validFromPosition }
    /// The position in `fields` of the `validUntil` field (nil when there is none).
    public var validUntilPosition: Int? { storage.validUntilPosition }
    /// The position in `fields` of the `noExpiryWhen` rule's field (nil when there is none).
    var noExpiryPosition: Int? { storage.noExpiryPosition }

    /// Whether `other` is this very profile (one shared box, as every credential a registry's profile decoded has):
    /// then the two are equal. A constant-time check for caches keyed by profile; false does not mean unequal.
    public func isTriviallyIdentical(to other: Profile) -> Bool { storage === other.storage }

    public static func == (a: Profile, b: Profile) -> Bool {
        if a.storage === b.storage { return true }
        let x = a.storage, y = b.storage
        return x.type == y.type && x.name == y.name && x.idField == y.idField && x.validFrom == y.validFrom
            && x.validUntil == y.validUntil && x.noExpiryWhen == y.noExpiryWhen && x.utcOffset == y.utcOffset
            && x.fields == y.fields && x.utcOffsetSeconds == y.utcOffsetSeconds
    }

    enum CodingKeys: String, CodingKey {
        case type, name, fields
        case idField = "id_field"
        case validFrom = "valid_from"
        case validUntil = "valid_until"
        case noExpiryWhen = "no_expiry_when"
        case utcOffset = "utc_offset"
    }

    /// Decodes `valid_until` as required-but-nullable: a missing key is an error, `null` is the explicit "never expires".
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let storage = Storage()
        self.storage = storage
        storage.type = try c.decode(String.self, forKey: .type)
        storage.name = try c.decode(Text.self, forKey: .name)
        storage.idField = try c.decode(String.self, forKey: .idField)
        storage.validFrom = try c.decode(String.self, forKey: .validFrom)
        guard c.contains(.validUntil) else {
            throw DecodingError.keyNotFound(CodingKeys.validUntil, .init(codingPath: c.codingPath,
                debugDescription: "valid_until is required: a date field, or null for a credential that never expires"))
        }
        storage.validUntil = try c.decodeIfPresent(String.self, forKey: .validUntil)
        storage.noExpiryWhen = try c.decodeIfPresent(NoExpiryRule.self, forKey: .noExpiryWhen)
        storage.utcOffset = try c.decode(String.self, forKey: .utcOffset)
        do throws(QRCertError) {
            storage.utcOffsetSeconds = try Self.parseOffset(storage.utcOffset)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.utcOffset], debugDescription: error.message))
        }
        storage.fields = try c.decode([Field].self, forKey: .fields)
        storage.index()
    }

    /// Encodes, writing `valid_until: null` explicitly.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(idField, forKey: .idField)
        try c.encode(validFrom, forKey: .validFrom)
        try c.encode(validUntil, forKey: .validUntil)
        try c.encodeIfPresent(noExpiryWhen, forKey: .noExpiryWhen)
        try c.encode(utcOffset, forKey: .utcOffset)
        try c.encode(fields, forKey: .fields)
    }

    /// The field called `name`.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }

    /// The field with wire key `key`.
    public func field(key: Int64) -> Field? { fields.first { $0.key == key } }

    /// The UTC offset in seconds east of UTC (checked when the profile is read).
    public private(set) var utcOffsetSeconds: Int64 {
        get { storage.utcOffsetSeconds }
        set { unique().utcOffsetSeconds = newValue }
    }

    /// Loads and checks a profile file. `source` names it in errors.
    public static func load(json: Data, source: String) throws(QRCertError) -> Profile {
        let profile: Profile
        do {
            profile = try JSONDecoder().decode(Profile.self, from: json)
        } catch {
            throw QRCertError(.profile, "PROFILE_INVALID", "\(source): not a valid profile: \(Self.describe(error))")
        }
        try profile.check(source: source)
        return profile
    }

    /// Internal consistency: unique names and keys, referenced fields exist with the right types.
    public func check(source: String) throws(QRCertError) {
        func fail(_ why: String) -> QRCertError { QRCertError(.profile, "PROFILE_INVALID", "\(source): \(why)") }
        var names = Set<String>(), keys = Set<Int64>()
        for f in fields {
            guard names.insert(f.name).inserted else { throw fail("field \(f.name) is declared twice") }
            guard keys.insert(f.key).inserted else { throw fail("field key \(f.key) is used twice") }
            guard f.key >= 0 else { throw fail("field \(f.name): key must be a non-negative integer") }
            if f.type == .enum, (f.values ?? []).isEmpty { throw fail("field \(f.name): an enum needs values") }
            if f.dictionary != nil || f.digits != nil {
                guard f.type == .text else { throw fail("field \(f.name): dictionary and digits are for text fields") }
                guard f.dictionary == nil || f.digits == nil else { throw fail("field \(f.name): a field has a dictionary or digits, not both") }
            }
            if let dictionary = f.dictionary {
                guard !dictionary.isEmpty, Set(dictionary).count == dictionary.count else {
                    throw fail("field \(f.name): a dictionary needs distinct values")
                }
                // An entry must be a value the issuer could sign, or its index would stand for text no record holds.
                for entry in dictionary where entry.isEmpty || FieldText.trimmed(entry) != entry || !FieldText.isNFC(entry)
                    || FieldText.hasControlCharacter(entry) || (f.maxLength.map { entry.count > $0 } ?? false) {
                    throw fail("field \(f.name): dictionary value \"\(entry)\" is not trimmed NFC text within max_length")
                }
            }
        }
        guard field(named: idField)?.required == true else { throw fail("id_field \(idField) must be a required field") }
        guard field(named: validFrom)?.type == .date, field(named: validFrom)?.required == true else {
            throw fail("valid_from \(validFrom) must be a required date field")
        }
        if let validUntil {
            guard field(named: validUntil)?.type == .date else { throw fail("valid_until \(validUntil) must be a date field") }
        }
        if let rule = noExpiryWhen {
            guard validUntil != nil else { throw fail("no_expiry_when needs valid_until") }
            guard let decider = field(named: rule.field), decider.required else {
                throw fail("no_expiry_when.field \(rule.field) must be a required field")
            }
            if let allowed = decider.values {
                for v in rule.values where !allowed.contains(v) { throw fail("no_expiry_when value \(v) is not a value of \(rule.field)") }
            }
        }
        guard type.utf8.count <= 32, !type.isEmpty else { throw fail("type must be 1 to 32 bytes") }
    }

    static func parseOffset(_ text: String) throws(QRCertError) -> Int64 {
        let u = Array(text.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-"), u[3] == UInt8(ascii: ":"),
              let h = Int64(String(decoding: u[1...2], as: UTF8.self)),
              let m = Int64(String(decoding: u[4...5], as: UTF8.self)), h <= 14, m < 60 else {
            throw QRCertError(.profile, "PROFILE_INVALID", "utc_offset must look like +07:00, found \"\(text)\"")
        }
        return (u[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \((ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let ctx):
            return ctx.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// Language of labels and messages.
public enum Language: String, Sendable, CaseIterable {
    /// Vietnamese.
    case vi
    /// English.
    case en
}

import QRCertFormat

/// A record checked against its profile, with typed values: what a payload carries.
public struct Credential: Sendable, Equatable {
    /// A typed field value.
    public enum Value: Sendable, Equatable {
        /// Text, NFC.
        case text(String)
        /// A calendar date.
        case date(CivilDate)
        /// Index into the field's `values`.
        case enumeration(Int)
    }

    /// The profile it follows.
    public let profile: Profile
    /// Present values in profile order (empty optional fields are absent).
    public let values: [(field: Profile.Field, value: Value)]

    /// The value of the id field.
    public var id: String { displayValue(profile.idField) ?? "" }

    /// The value of `name` as a person reads it (enum values by name, dates as `YYYY-MM-DD`).
    public func displayValue(_ name: String) -> String? {
        guard let entry = values.first(where: { $0.field.name == name }) else { return nil }
        return Self.displayText(entry.value, entry.field)
    }

    /// Start of validity, seconds since 1970 UTC: midnight of `valid_from` in the profile's civil time.
    public var validFrom: Int64? {
        guard case .date(let d)? = values.first(where: { $0.field.name == profile.validFrom })?.value else { return nil }
        return d.midnight(utcOffset: profile.utcOffsetSeconds)
    }

    /// End of validity (exclusive): midnight after the `valid_until` day; nil when the credential never expires.
    public var validUntil: Int64? {
        guard let name = profile.validUntil,
              case .date(let d)? = values.first(where: { $0.field.name == name })?.value else { return nil }
        return CivilDate(daysSinceEpoch: d.daysSinceEpoch + 1).midnight(utcOffset: profile.utcOffsetSeconds)
    }

    /// Whether the profile lets this credential have no expiry.
    public var mayHaveNoExpiry: Bool {
        guard profile.validUntil != nil else { return true }
        guard let rule = profile.noExpiryWhen, let decider = displayValue(rule.field) else { return false }
        return rule.values.contains(decider)
    }

    public static func == (a: Credential, b: Credential) -> Bool {
        a.profile == b.profile && a.values.elementsEqual(b.values) { $0.field == $1.field && $0.value == $1.value }
    }

    /// `value` as a person reads it: enum values by name, dates as `YYYY-MM-DD`.
    public static func displayText(_ value: Value, _ field: Profile.Field) -> String {
        switch value {
        case .text(let t): return t
        case .date(let d): return d.description
        case .enumeration(let i): return field.values.map { $0.indices.contains(i) ? $0[i] : "#\(i)" } ?? "#\(i)"
        }
    }

    // MARK: - From an input row

    /// Checks a row against `profile`: every field known, required ones present, types and enum values valid,
    /// the validity window consistent. The first problem found rejects the row, naming its field.
    public init(row: RecordRow, profile: Profile) throws(RejectedRow) {
        func reject(_ field: String?, _ code: String, _ message: String) -> RejectedRow {
            RejectedRow(source: row.source, line: row.line, field: field, id: row[profile.idField],
                        error: QRCertError(.records, code, message))
        }
        for (name, _) in row.fields where profile.field(named: name) == nil {
            throw reject(name, "REC_UNKNOWN_FIELD", "not a field of profile \(profile.type)")
        }
        var values: [(field: Profile.Field, value: Value)] = []
        for field in profile.fields {
            // Readers give NFC already; a row built otherwise is normalised too, so nothing is signed that the verifier refuses.
            let raw = FieldText.nfc(FieldText.trimmed(row[field.name] ?? ""))
            if raw.isEmpty {
                if field.required { throw reject(field.name, "REC_MISSING_FIELD", "required value is missing") }
                continue
            }
            switch field.type {
            case .text:
                // A character takes at least one UTF-8 byte: count characters only when the bytes could be too many.
                if let max = field.maxLength, raw.utf8.count > max, raw.count > max {
                    throw reject(field.name, "REC_TOO_LONG", "\(raw.count) characters, at most \(max) allowed")
                }
                if FieldText.hasControlCharacter(raw) {
                    throw reject(field.name, "REC_BAD_TEXT", "contains a control character")
                }
                values.append((field, .text(raw)))
            case .date:
                guard let date = CivilDate(raw) else {
                    throw reject(field.name, "REC_BAD_DATE", "\"\(raw)\" is not a date of the form YYYY-MM-DD")
                }
                values.append((field, .date(date)))
            case .enum:
                let allowed = field.values ?? []
                guard let index = allowed.firstIndex(of: raw) else {
                    throw reject(field.name, "REC_BAD_ENUM", "\"\(raw)\" is not one of \(allowed.joined(separator: ", "))")
                }
                values.append((field, .enumeration(index)))
            }
        }
        let credential = Credential(profile: profile, values: values)
        if let until = profile.validUntil {
            if case .date(let end)? = values.first(where: { $0.field.name == until })?.value,
               case .date(let start)? = values.first(where: { $0.field.name == profile.validFrom })?.value, end < start {
                throw reject(until, "REC_BAD_VALIDITY", "\(end) is before \(profile.validFrom) \(start)")
            }
            if credential.validUntil == nil && !credential.mayHaveNoExpiry {
                let rule = profile.noExpiryWhen.map { " (only \($0.field) \($0.values.joined(separator: ", ")) may have none)" } ?? ""
                throw reject(until, "REC_MISSING_EXPIRY", "an expiry date is required\(rule)")
            }
        }
        self = credential
    }

    init(profile: Profile, values: [(field: Profile.Field, value: Value)]) {
        self.profile = profile
        self.values = values
    }

    // MARK: - Wire form (docs/FORMAT.md §4)

    /// The compact record map: `{key: value}` with text as text (Vietnamese text as VISCII bytes), dates as signed
    /// day numbers since 1970-01-01, enums as indices.
    public var cbor: CBOR {
        .map(values.map { entry in
            let value: CBOR
            switch entry.value {
            case .text(let t): value = Self.textItem(t)
            case .date(let d): value = .int(d.daysSinceEpoch)
            case .enumeration(let i): value = .int(Int64(i))
            }
            return CBORPair(.int(entry.field.key), value)
        })
    }

    /// Reads a record map against `profile`; any key or value the profile does not allow fails at stage `content`.
    public init(cbor: CBOR, profile: Profile) throws(QRCertError) {
        guard case .map(let pairs) = cbor else {
            throw QRCertError(.content, "CONTENT_BAD_RECORD", "record must be a map")
        }
        // Items by the position of their field in the profile (a verifier decodes one record per payload:
        // a small array beats a dictionary here).
        var items = [CBOR?](repeating: nil, count: profile.fields.count)
        for pair in pairs {
            guard let key = pair.key.int64, let position = profile.fields.firstIndex(where: { $0.key == key }) else {
                throw QRCertError(.content, "CONTENT_UNKNOWN_FIELD", "record has key \(pair.key) that profile \(profile.type) does not define")
            }
            items[position] = pair.value
        }
        var values: [(field: Profile.Field, value: Value)] = []
        values.reserveCapacity(profile.fields.count)
        for (position, field) in profile.fields.enumerated() {
            guard let item = items[position] else {
                if field.required {
                    throw QRCertError(.content, "CONTENT_MISSING_FIELD", "record lacks required field \(field.name)")
                }
                continue
            }
            func bad(_ expected: String) -> QRCertError {
                QRCertError(.content, "CONTENT_BAD_FIELD", "field \(field.name) must be \(expected)")
            }
            switch field.type {
            case .text:
                values.append((field, .text(try Self.text(of: item, field: field))))
            case .date:
                guard let days = item.int64, CivilDate.supportedDays.contains(days) else { throw bad("a day number (1900-2199)") }
                values.append((field, .date(CivilDate(daysSinceEpoch: days))))
            case .enum:
                guard case .unsigned(let index) = item, index < UInt64(field.values?.count ?? 0) else {
                    throw bad("one of its \(field.values?.count ?? 0) values")
                }
                values.append((field, .enumeration(Int(index))))
            }
        }
        // The issuer refuses an end before the start (REC_BAD_VALIDITY): such a window would hold for the skew alone.
        if let until = profile.validUntil,
           case .date(let end)? = values.first(where: { $0.field.name == until })?.value,
           case .date(let start)? = values.first(where: { $0.field.name == profile.validFrom })?.value, end < start {
            throw QRCertError(.content, "CONTENT_BAD_FIELD", "field \(until) \(end) is before \(profile.validFrom) \(start)")
        }
        self.init(profile: profile, values: values)
    }

    /// A text value on the wire: a text string when it is all ASCII or has a character VISCII lacks,
    /// otherwise (Vietnamese text) a byte string of its VISCII codes, one byte per letter instead of two or three.
    static func textItem(_ text: String) -> CBOR {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return .text(text) }
        if let bytes = VISCII.encode(text) { return .bytes(bytes) }
        return .text(text)
    }

    /// Reads a text value, accepting only what the issuer writes (docs/FORMAT.md §5.2): no control character,
    /// not empty, no surrounding white space, NFC, at most `max_length` characters, and the one form
    /// `textItem` gives it, so each value has one encoding. Without `visciiForm` (a `QC2:` digits field, whose byte
    /// strings are digits) a text string is accepted whatever its characters.
    static func text(of item: CBOR, field: Profile.Field, visciiForm: Bool = true) throws(QRCertError) -> String {
        func bad(_ reason: String) -> QRCertError {
            QRCertError(.content, "CONTENT_BAD_FIELD", "field \(field.name) \(reason)")
        }
        let text: String
        switch item {
        case .text(let value):
            text = value
            // The issuer refuses control characters (REC_BAD_TEXT); a signed one must not reach a terminal either.
            if FieldText.hasControlCharacter(text) { throw bad("holds a control character") }
            if visciiForm && !text.utf8.allSatisfy({ $0 < 0x80 }) && VISCII.encode(text) != nil {
                throw bad("must be VISCII bytes: every character of its text has a VISCII code")
            }
        case .bytes(let bytes) where visciiForm:
            text = VISCII.decode(bytes)
            if FieldText.hasControlCharacter(text) { throw bad("holds a control character") }
            if text.utf8.allSatisfy({ $0 < 0x80 }) { throw bad("must be a text string: it is all ASCII") }
        default:
            throw bad("must be text (a text string, or VISCII bytes)")
        }
        // The issuer omits an empty value, trims it and writes it in NFC within max_length: nothing else is accepted.
        if text.isEmpty { throw bad("is empty (an empty value is left out, never signed)") }
        if FieldText.trimmed(text) != text { throw bad("has leading or trailing white space") }
        if !FieldText.isNFC(text) { throw bad("is not in Unicode Normalization Form C") }
        if let max = field.maxLength, text.utf8.count > max, text.count > max {
            throw bad("has \(text.count) characters, more than its \(max)")
        }
        return text
    }
}

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
    /// Present values in profile order (empty optional fields are absent), each with its field's position in
    /// `profile.fields`: the credential refers to its profile's fields rather than holding copies of them.
    public let entries: [Entry]

    /// One present value and where its field is in the profile.
    public struct Entry: Sendable, Equatable {
        /// The position of its field in `profile.fields`.
        public let position: Int
        /// The value.
        public let value: Value
    }

    /// Present values in profile order (empty optional fields are absent), each with a copy of its field.
    /// `forEachValue` and `entries` read the same without copying the fields.
    public var values: [(field: Profile.Field, value: Value)] {
        let fields = profile.fields
        return entries.map { (fields[$0.position], $0.value) }
    }

    /// Calls `body` with each present value and its field, in profile order, the fields read in place (inlinable, so
    /// a renderer in another module gets it specialised: no field is copied on the way).
    @inlinable
    public func forEachValue<E: Error>(_ body: (_ field: Profile.Field, _ value: Value) throws(E) -> Void) throws(E) {
        try profile.fields.withUnsafeBufferPointer { (fields) throws(E) in
            for entry in entries { try body(fields[entry.position], entry.value) }
        }
    }

    /// The value of the field at `position` in `profile.fields`, when present.
    public func value(at position: Int) -> Value? {
        for entry in entries where entry.position >= position {
            return entry.position == position ? entry.value : nil
        }
        return nil
    }

    /// The value of `name` as a person reads it, with its field (enum values by name, dates as `YYYY-MM-DD`).
    public func displayValue(at position: Int) -> String? {
        guard let value = value(at: position) else { return nil }
        if case .text(let text) = value { return text }  // `displayText`'s answer, without a copy of the field
        return Self.displayText(value, profile.fields[position])
    }

    /// The value of the id field.
    public var id: String { profile.idPosition.flatMap(displayValue(at:)) ?? "" }

    /// The value of `name` as a person reads it (enum values by name, dates as `YYYY-MM-DD`).
    public func displayValue(_ name: String) -> String? {
        profile.position(named: name).flatMap(displayValue(at:))
    }

    /// Start of validity, seconds since 1970 UTC: midnight of `valid_from` in the profile's civil time.
    public var validFrom: Int64? {
        guard let position = profile.validFromPosition, case .date(let d)? = value(at: position) else { return nil }
        return d.midnight(utcOffset: profile.utcOffsetSeconds)
    }

    /// End of validity (exclusive): midnight after the `valid_until` day; nil when the credential never expires.
    public var validUntil: Int64? {
        guard let position = profile.validUntilPosition, case .date(let d)? = value(at: position) else { return nil }
        return CivilDate(daysSinceEpoch: d.daysSinceEpoch + 1).midnight(utcOffset: profile.utcOffsetSeconds)
    }

    /// Whether the profile lets this credential have no expiry.
    public var mayHaveNoExpiry: Bool {
        guard profile.validUntil != nil else { return true }
        guard let rule = profile.noExpiryWhen, let decider = profile.noExpiryPosition.flatMap(displayValue(at:)) else { return false }
        return rule.values.contains(decider)
    }

    public static func == (a: Credential, b: Credential) -> Bool {
        a.profile == b.profile && a.entries == b.entries
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
        var values: [Entry] = []
        for (position, field) in profile.fields.enumerated() {
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
                values.append(Entry(position: position, value: .text(raw)))
            case .date:
                guard let date = CivilDate(raw) else {
                    throw reject(field.name, "REC_BAD_DATE", "\"\(raw)\" is not a date of the form YYYY-MM-DD")
                }
                values.append(Entry(position: position, value: .date(date)))
            case .enum:
                let allowed = field.values ?? []
                guard let index = allowed.firstIndex(of: raw) else {
                    throw reject(field.name, "REC_BAD_ENUM", "\"\(raw)\" is not one of \(allowed.joined(separator: ", "))")
                }
                values.append(Entry(position: position, value: .enumeration(index)))
            }
        }
        let credential = Credential(profile: profile, entries: values)
        if let until = profile.validUntil {
            if case .date(let end)? = profile.validUntilPosition.flatMap(credential.value(at:)),
               case .date(let start)? = profile.validFromPosition.flatMap(credential.value(at:)), end < start {
                throw reject(until, "REC_BAD_VALIDITY", "\(end) is before \(profile.validFrom) \(start)")
            }
            if credential.validUntil == nil && !credential.mayHaveNoExpiry {
                let rule = profile.noExpiryWhen.map { " (only \($0.field) \($0.values.joined(separator: ", ")) may have none)" } ?? ""
                throw reject(until, "REC_MISSING_EXPIRY", "an expiry date is required\(rule)")
            }
        }
        self = credential
    }

    /// A credential of `values`, whose fields must be fields of `profile`, in its order.
    init(profile: Profile, values: [(field: Profile.Field, value: Value)]) {
        self.init(profile: profile, entries: values.map { entry in
            guard let position = profile.position(named: entry.field.name), profile.fields[position] == entry.field else {
                preconditionFailure("field \(entry.field.name) is not a field of profile \(profile.type)")
            }
            return Entry(position: position, value: entry.value)
        })
    }

    init(profile: Profile, entries: [Entry]) {
        self.profile = profile
        self.entries = entries
    }

    // MARK: - Wire form (docs/FORMAT.md §4)

    /// The compact record map: `{key: value}` with text as text (Vietnamese text as VISCII bytes), dates as signed
    /// day numbers since 1970-01-01, enums as indices.
    public var cbor: CBOR {
        let fields = profile.fields
        return .map(entries.map { entry in
            let value: CBOR
            switch entry.value {
            case .text(let t): value = Self.textItem(t)
            case .date(let d): value = .int(d.daysSinceEpoch)
            case .enumeration(let i): value = .int(Int64(i))
            }
            return CBORPair(.int(fields[entry.position].key), value)
        })
    }

    /// Reads a record map against `profile`; any key or value the profile does not allow fails at stage `content`.
    public init(cbor: CBOR, profile: Profile) throws(QRCertError) {
        guard case .map(let pairs) = cbor else {
            throw QRCertError(.content, "CONTENT_BAD_RECORD", "record must be a map")
        }
        let fields = profile.fields
        // Items by the position of their field in the profile (a verifier decodes one record per payload:
        // a small array beats a dictionary here).
        // The issuer writes the pairs in profile order: then a walk pairs them with their fields. Any other order
        // (or a key twice, the last one kept) takes a table of each field's pair.
        var ordered = true, previous = -1
        for pair in pairs {
            guard let key = pair.key.int64, let position = profile.position(key: key) else {
                throw QRCertError(.content, "CONTENT_UNKNOWN_FIELD", "record has key \(pair.key) that profile \(profile.type) does not define")
            }
            if position <= previous { ordered = false }
            previous = position
        }
        var slots: [Int] = []  // the index in `pairs` of each field's item, when not ordered
        if !ordered {
            slots = [Int](repeating: -1, count: fields.count)
            for (index, pair) in pairs.enumerated() { if let position = pair.key.int64.flatMap(profile.position(key:)) { slots[position] = index } }
        }
        let keys = profile.fieldKeys
        var next = 0
        var entries: [Entry] = []
        entries.reserveCapacity(fields.count)
        for position in fields.indices {
            let slot: Int
            if ordered {
                slot = next < pairs.count && pairs[next].key.int64 == keys[position] ? next : -1
                if slot >= 0 { next += 1 }
            } else {
                slot = slots[position]
            }
            guard slot >= 0 else {
                if fields[position].required {
                    throw QRCertError(.content, "CONTENT_MISSING_FIELD", "record lacks required field \(fields[position].name)")
                }
                continue
            }
            func bad(_ expected: String) -> QRCertError {
                QRCertError(.content, "CONTENT_BAD_FIELD", "field \(fields[position].name) must be \(expected)")
            }
            let item = pairs[slot].value
            switch fields[position].type {
            case .text:
                entries.append(Entry(position: position, value: .text(try Self.text(of: item, name: fields[position].name,
                                                                                   maxLength: fields[position].maxLength))))
            case .date:
                guard let days = item.int64, CivilDate.supportedDays.contains(days) else { throw bad("a day number (1900-2199)") }
                entries.append(Entry(position: position, value: .date(CivilDate(daysSinceEpoch: days))))
            case .enum:
                let count = fields[position].values?.count ?? 0
                guard case .unsigned(let index) = item, index < UInt64(count) else {
                    throw bad("one of its \(count) values")
                }
                entries.append(Entry(position: position, value: .enumeration(Int(index))))
            }
        }
        self.init(profile: profile, entries: entries)
        // The issuer refuses an end before the start (REC_BAD_VALIDITY): such a window would hold for the skew alone.
        if let until = profile.validUntil,
           case .date(let end)? = profile.validUntilPosition.flatMap(value(at:)),
           case .date(let start)? = profile.validFromPosition.flatMap(value(at:)), end < start {
            throw QRCertError(.content, "CONTENT_BAD_FIELD", "field \(until) \(end) is before \(profile.validFrom) \(start)")
        }
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
        try text(of: item, name: field.name, maxLength: field.maxLength, visciiForm: visciiForm)
    }

    /// `text(of:field:visciiForm:)` for the field called `name` with `maxLength` (no copy of the field).
    static func text(of item: CBOR, name: String, maxLength: Int?, visciiForm: Bool = true) throws(QRCertError) -> String {
        func bad(_ reason: String) -> QRCertError {
            QRCertError(.content, "CONTENT_BAD_FIELD", "field \(name) \(reason)")
        }
        // One pass over the value's bytes answers every rule below (FieldText.Facts), each as the issuer's functions do.
        let text: String, facts: FieldText.Facts
        switch item {
        case .text(let value):
            text = value
            facts = FieldText.Facts(value)
            // The issuer refuses control characters (REC_BAD_TEXT); a signed one must not reach a terminal either.
            if facts.hasControlCharacter { throw bad("holds a control character") }
            if visciiForm && !facts.isASCII && facts.hasVISCIICodes {
                throw bad("must be VISCII bytes: every character of its text has a VISCII code")
            }
        case .bytes(let bytes) where visciiForm:
            (text, facts) = VISCII.decodeWithFacts(bytes)
            if facts.hasControlCharacter { throw bad("holds a control character") }
            if facts.isASCII { throw bad("must be a text string: it is all ASCII") }
        default:
            throw bad("must be text (a text string, or VISCII bytes)")
        }
        // The issuer omits an empty value, trims it and writes it in NFC within max_length: nothing else is accepted.
        if facts.utf8Count == 0 { throw bad("is empty (an empty value is left out, never signed)") }
        if !FieldText.isTrimmed(text, facts) { throw bad("has leading or trailing white space") }
        if !FieldText.isNFC(text, facts) { throw bad("is not in Unicode Normalization Form C") }
        if let max = maxLength, facts.utf8Count > max, text.count > max {
            throw bad("has \(text.count) characters, more than its \(max)")
        }
        return text
    }
}

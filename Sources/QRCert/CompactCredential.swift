import QRCertFormat

/// The compact encoding of version 2 payloads (`QC2:`, docs/FORMAT.md §9): the claims and record of a
/// credential with nothing written twice and the profile's compact value forms.
///
/// - The credential claim is the array `[type, record]` (`[type, record, true]` for a specimen), not version
///   1's map, so the signed bytes themselves say which encoding they use.
/// - `nbf` and `cti` are left out: `nbf` is `iat`, and `cti` is what docs/FORMAT.md §4.6 derives from the kid,
///   type, record id and `iat`.
/// - The record leaves out its `valid_from` and `valid_until` dates: they are the civil dates of `iat` and of
///   the day before `exp` at the profile's UTC offset, which must therefore be midnights.
/// - A text field with a `dictionary` writes a listed value as its index; a `digits` field writes 1 to 19
///   ASCII digits as a byte string: the digit count, then the value big-endian in the fewest bytes.
///
/// Every value has one encoding: whatever the issuer would have written otherwise is refused
/// (`COMPACT_NOT_CANONICAL`, `COMPACT_UNKNOWN_VALUE`, `COMPACT_BAD_DIGITS`, `COMPACT_BAD_WINDOW`).
public enum CompactCredential {
    /// Most digits a `digits` value carries as an integer: 10^19 - 1 still fits 64 bits.
    public static let maxDigits = 19

    // MARK: - Issuing

    /// The claims `QC2:` signs for `credential`: `iss`, `exp` (when it expires), `iat` and the compact credential.
    static func claims(for credential: Credential, issuer: String, specimen: Bool) throws(QRCertError) -> CWTClaims {
        guard let validFrom = credential.validFrom else {
            throw QRCertError(.records, "REC_MISSING_FIELD", "\(credential.profile.validFrom): required value is missing")
        }
        var content: [CBOR] = [.text(credential.profile.type), record(credential)]
        if specimen { content.append(.bool(true)) }
        return CWTClaims(issuer: issuer, expiresAt: credential.validUntil, issuedAt: validFrom,
                         others: [CBORPair(.int(CWTClaims.Key.credential), .array(content))])
    }

    /// The compact record map: every present field but the two dates `iat` and `exp` give.
    static func record(_ credential: Credential) -> CBOR {
        let profile = credential.profile, fields = profile.fields
        return .map(credential.entries.compactMap { entry in
            let field = fields[entry.position]
            if field.name == profile.validFrom || field.name == profile.validUntil { return nil }
            return CBORPair(.int(field.key), item(entry.value, field: field))
        })
    }

    /// One value in its compact form (docs/FORMAT.md §9.3).
    static func item(_ value: Credential.Value, field: Profile.Field) -> CBOR {
        switch value {
        case .text(let text):
            if let index = field.dictionary?.firstIndex(of: text) { return .int(Int64(index)) }
            if field.digits == true { return digitBytes(text).map(CBOR.bytes) ?? .text(text) }
            return Credential.textItem(text)
        case .date(let date): return .int(date.daysSinceEpoch)
        case .enumeration(let index): return .int(Int64(index))
        }
    }

    /// `count ‖ value` (big-endian, fewest bytes, none for zero) for 1 to 19 ASCII digits; nil for any other text.
    public static func digitBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard (1...maxDigits).contains(utf8.count), utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var value = utf8.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
        var bytes: [UInt8] = []
        while value > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: value), at: 0)
            value >>= 8
        }
        return [UInt8(utf8.count)] + bytes
    }

    // MARK: - Verifying

    /// The credential of compact credential claim `content` under `claims`, signed with key id `keyID`, and the
    /// claims with what the encoding leaves out derived (`nbf` = `iat`, `cti` by docs/FORMAT.md §4.6).
    /// Fails at stage `content`, in the order of docs/FORMAT.md §9.4.
    public static func decode(_ content: [CBOR], claims: CWTClaims, keyID: [UInt8],
                              profiles: [String: Profile]) throws(QRCertError) -> (credential: Credential, claims: CWTClaims) {
        guard (2...3).contains(content.count), case .text(let type) = content[0] else {
            throw QRCertError(.content, "CONTENT_BAD_RECORD", "a QC2: credential must be [type, record] or [type, record, true]")
        }
        guard let profile = profiles[type] else {
            throw QRCertError(.content, "CONTENT_UNKNOWN_TYPE", "credential type \(type) has no profile here",
                              hint: "pass its profile with --profile FILE")
        }
        guard case .map(let pairs) = content[1] else { throw QRCertError(.content, "CONTENT_BAD_RECORD", "record must be a map") }
        if claims.notBefore != nil {
            throw notCanonical("claim nbf is left out of a QC2: payload: it is iat")
        }
        if claims.certificateID != nil {
            throw notCanonical("claim cti is left out of a QC2: payload: it is derived from the kid, type, id and iat")
        }
        let (validFrom, validUntil) = try window(claims, profile: profile)

        let fields = profile.fields
        let fromPosition = profile.validFromPosition, untilPosition = profile.validUntilPosition
        var slots = [Int](repeating: -1, count: fields.count)  // the index in `pairs` of each field's item
        for (index, pair) in pairs.enumerated() {
            guard let key = pair.key.int64, let position = profile.position(key: key) else {
                throw QRCertError(.content, "CONTENT_UNKNOWN_FIELD", "record has key \(pair.key) that profile \(profile.type) does not define")
            }
            if position == fromPosition || position == untilPosition {
                let name = fields[position].name
                throw notCanonical("field \(name) is left out of a QC2: record: it is derived from \(position == fromPosition ? "iat" : "exp")")
            }
            slots[position] = index
        }
        // Each field read in place through the buffer (an array element passed on is a copy of all its members).
        let entries = try fields.withUnsafeBufferPointer { (fields) throws(QRCertError) -> [Credential.Entry] in
            var entries: [Credential.Entry] = []
            entries.reserveCapacity(fields.count)
            for position in fields.indices {
                if position == fromPosition {
                    entries.append(Credential.Entry(position: position, value: .date(validFrom)))
                    continue
                }
                if position == untilPosition {
                    if let validUntil { entries.append(Credential.Entry(position: position, value: .date(validUntil))) }
                    continue
                }
                guard slots[position] >= 0 else {
                    if fields[position].required {
                        throw QRCertError(.content, "CONTENT_MISSING_FIELD", "record lacks required field \(fields[position].name)")
                    }
                    continue
                }
                entries.append(Credential.Entry(position: position, value: try value(of: pairs[slots[position]].value, fields: fields, at: position)))
            }
            return entries
        }
        let credential = Credential(profile: profile, entries: entries)
        var derived = claims
        derived.notBefore = claims.issuedAt
        derived.certificateID = claims.issuedAt.map {
            Issuer.certificateID(keyID: keyID, type: profile.type, id: credential.id, issuedAt: $0)
        }
        return (credential, derived)
    }

    /// The record's `valid_from` and `valid_until` dates from `iat` and `exp` (docs/FORMAT.md §9.2).
    private static func window(_ claims: CWTClaims, profile: Profile) throws(QRCertError) -> (CivilDate, CivilDate?) {
        let offset = profile.utcOffsetSeconds
        func day(_ seconds: Int64, _ name: String) throws(QRCertError) -> Int64 {
            let local = seconds + offset
            guard local % 86_400 == 0 else {
                throw QRCertError(.content, "COMPACT_BAD_WINDOW",
                                  "claim \(name) \(Timestamp.iso(seconds)) is not a midnight at \(profile.utcOffset): the record's dates cannot be derived from it")
            }
            return local / 86_400
        }
        guard let iat = claims.issuedAt else {
            throw QRCertError(.content, "COMPACT_BAD_WINDOW", "no iat: a QC2: record's \(profile.validFrom) is derived from it")
        }
        let start = try day(iat, "iat")
        guard CivilDate.supportedDays.contains(start) else {
            throw QRCertError(.content, "COMPACT_BAD_WINDOW", "claim iat is not within the dates 1900-2199")
        }
        guard let exp = claims.expiresAt else { return (CivilDate(daysSinceEpoch: start), nil) }
        guard profile.validUntil != nil else {
            throw QRCertError(.content, "COMPACT_BAD_WINDOW", "claim exp is set, but profile \(profile.type) never expires")
        }
        let end = try day(exp, "exp") - 1
        guard CivilDate.supportedDays.contains(end) else {
            throw QRCertError(.content, "COMPACT_BAD_WINDOW", "claim exp is not within the dates 1900-2199")
        }
        // As in version 1 (CONTENT_BAD_FIELD): an end before the start would hold for the skew alone.
        guard end >= start else {
            throw QRCertError(.content, "CONTENT_BAD_FIELD",
                              "field \(profile.validUntil ?? "") \(CivilDate(daysSinceEpoch: end)) is before \(profile.validFrom) \(CivilDate(daysSinceEpoch: start))")
        }
        return (CivilDate(daysSinceEpoch: start), CivilDate(daysSinceEpoch: end))
    }

    /// One compact value, accepting only the form `item` writes.
    private static func value(of item: CBOR, fields: UnsafeBufferPointer<Profile.Field>, at position: Int) throws(QRCertError) -> Credential.Value {
        func bad(_ expected: String) -> QRCertError {
            QRCertError(.content, "CONTENT_BAD_FIELD", "field \(fields[position].name) must be \(expected)")
        }
        switch fields[position].type {
        case .date:
            guard let days = item.int64, CivilDate.supportedDays.contains(days) else { throw bad("a day number (1900-2199)") }
            return .date(CivilDate(daysSinceEpoch: days))
        case .enum:
            guard case .unsigned(let index) = item, index < UInt64(fields[position].values?.count ?? 0) else {
                throw bad("one of its \(fields[position].values?.count ?? 0) values")
            }
            return .enumeration(Int(index))
        case .text:
            if let dictionary = fields[position].dictionary {
                if case .unsigned(let index) = item {
                    guard index < UInt64(dictionary.count) else {
                        throw QRCertError(.content, "COMPACT_UNKNOWN_VALUE",
                                          "field \(fields[position].name) is value \(index) of its dictionary, which has \(dictionary.count)",
                                          hint: "a newer profile may list it: pass it with --profile FILE")
                    }
                    return .text(dictionary[Int(index)])
                }
                let text = try Credential.text(of: item, name: fields[position].name, maxLength: fields[position].maxLength)
                if dictionary.contains(text) {
                    throw notCanonical("field \(fields[position].name) \"\(text)\" is in its dictionary and must be written as its index")
                }
                return .text(text)
            }
            if fields[position].digits == true {
                switch item {
                case .bytes(let bytes): return .text(try digits(bytes, fields: fields, at: position))
                case .text(let text):
                    let checked = try Credential.text(of: item, name: fields[position].name, maxLength: fields[position].maxLength, visciiForm: false)
                    if digitBytes(text) != nil {
                        throw notCanonical("field \(fields[position].name) is \(text.utf8.count) digits and must be written as its count and value")
                    }
                    return .text(checked)
                default:
                    throw bad("text, or digits as a byte string (count, value)")
                }
            }
            return .text(try Credential.text(of: item, name: fields[position].name, maxLength: fields[position].maxLength))
        }
    }

    /// The digit string of `count ‖ value`: the value's decimal digits, zero-padded on the left to `count`.
    private static func digits(_ bytes: [UInt8], fields: UnsafeBufferPointer<Profile.Field>, at position: Int) throws(QRCertError) -> String {
        func bad(_ reason: String) -> QRCertError {
            QRCertError(.content, "COMPACT_BAD_DIGITS", "field \(fields[position].name): \(reason)")
        }
        guard let count = bytes.first, (1...UInt8(maxDigits)).contains(count) else {
            throw bad("a digit count of 1 to \(maxDigits) comes first")
        }
        let value = bytes.dropFirst()
        guard value.first != 0 else { throw notCanonical("field \(fields[position].name): the value has a leading zero byte") }
        guard value.count <= 8 else { throw bad("the value is longer than 8 bytes") }
        let number = value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var decimalCount = 0  // digits of `number`, none for zero
        var rest = number
        while rest > 0 { decimalCount += 1; rest /= 10 }
        guard decimalCount <= Int(count) else {
            throw bad("the value \(number) has \(decimalCount) digits, more than its count \(count)")
        }
        if let max = fields[position].maxLength, Int(count) > max {
            throw QRCertError(.content, "CONTENT_BAD_FIELD", "field \(fields[position].name) has \(count) characters, more than its \(max)")
        }
        // Written in place from the last digit, zeros to the left: a licence number's 12 digits make a small string.
        return String(unsafeUninitializedCapacity: Int(count)) { digits in
            var rest = number
            for i in stride(from: Int(count) - 1, through: 0, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return Int(count)
        }
    }

    private static func notCanonical(_ message: String) -> QRCertError {
        QRCertError(.content, "COMPACT_NOT_CANONICAL", message)
    }
}

extension CompactCredential {
    /// A `QC2:` payload's credential, decoded without checking its signature (`inspect`, `revoke add PAYLOAD`), with
    /// its claims' derived `nbf` and `cti` (no `cti` without a kid) and its specimen flag; nil when the credential
    /// claim is not the compact array or names a type without a profile here. Malformed records throw as in `decode`.
    public static func unverified(_ payload: Payload, claims: CWTClaims,
                                  profiles: [Profile]) throws(QRCertError) -> (credential: Credential, claims: CWTClaims, specimen: CBOR?)? {
        guard case .array(let content)? = claims[CWTClaims.Key.credential], case .text(let type)? = content.first,
              let profile = profiles.first(where: { $0.type == type }) else { return nil }
        let keyID = try? StructurePolicy.check(payload.cose, prefix: payload.prefix).keyID
        var (credential, derived) = try decode(content, claims: claims, keyID: keyID ?? [], profiles: [type: profile])
        if keyID == nil { derived.certificateID = nil }
        return (credential, derived, content.count > 2 ? content[2] : nil)
    }

    /// The `cti` of a `QC2:` payload, derived as a verifier derives it but without checking the signature (a
    /// revocation list names credentials by it: `revoke add PAYLOAD`); nil when its credential does not decode.
    public static func certificateID(of payload: Payload, profiles: [Profile]) -> [UInt8]? {
        guard let item = try? CBORDecoder.decode(payload.cose.payload), let claims = try? CWTClaims.decode(item),
              let decoded = try? unverified(payload, claims: claims, profiles: profiles) else { return nil }
        return decoded.claims.certificateID
    }
}

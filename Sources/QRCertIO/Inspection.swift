import QRCert
import QRCertFormat

/// One payload decoded stage by stage for `inspect`, as text lines (label, value) or one JSON object.
///
/// Everything shown is unverified text from the payload: each text line is escaped as a whole (no line holds
/// styling of ours), and JSON escapes the same characters, so nothing in a field, claim or message can drive
/// the terminal.
public struct Inspection: Sendable {
    /// Labels, dates and reasons in this language.
    public let language: Language
    /// One JSON object instead of text lines.
    public let json: Bool
    /// The profiles a record is shown with (a type without one shows its claims).
    public let profiles: [Profile]

    /// An inspection in `language`, as text or JSON.
    public init(language: Language, json: Bool, profiles: [Profile]) {
        self.language = language
        self.json = json
        self.profiles = profiles
    }

    private var vi: Bool { language == .vi }
    private var reader: ReaderText { ReaderText(language: language) }

    /// What `inspect` prints on stdout for `text` (the lines, or the JSON line), and the error decoding
    /// stopped at (nil when it decoded to the end), which `inspect` then reports on stderr for text.
    public func render(_ text: String, origin: VerdictRenderer.Origin?) -> (output: String, failure: QRCertError?) {
        var output = ""
        var rows: [(String, String)] = []
        var pairs: [(String, JSONText)] = [("unverified", .bool(true))]
        if let origin, let symbol = origin.symbol {
            pairs += [("file", .string(origin.file)), ("x", .number(Int64(symbol.x))), ("y", .number(Int64(symbol.y)))]
        }
        var failure: QRCertError?
        do throws(QRCertError) {
            try decode(text, rows: &rows, pairs: &pairs)
        } catch {
            failure = error
            pairs.append(("error", .object([("stage", .string(error.stage.rawValue)), ("code", .string(error.code)),
                                            ("message", .string(error.message)),
                                            ("reason", .string(ReasonText.sentence(error, language: language)))])))
        }
        if json {
            output += JSONText.object(pairs).rendered + "\n"
        } else {
            if let origin {
                let file = origin.file
                let place = origin.symbol.map { vi ? ": mã \(origin.index)/\(origin.count), tại x \($0.x), y \($0.y)"
                                                   : ": code \(origin.index) of \(origin.count) at x \($0.x), y \($0.y)" } ?? ""
                output += DisplayText.escaped(file + place) + "\n"
            }
            output += (vi ? "CHƯA XÁC MINH: chỉ giải mã; không mục nào dưới đây được kiểm tra bằng khóa"
                          : "UNVERIFIED: decoded only; nothing below is checked against any key") + "\n"
            // Stage labels in a column of 12, record fields indented under `type` in one of 21 (wider when a
            // label needs it); padded by hand, not NSString (no bridging).
            // Claims of a payload that is no known credential follow their key after two spaces, unaligned.
            let claim = vi ? "trường " : "claim "
            let top = max(12, (rows.filter { !$0.0.hasPrefix("  ") && !$0.0.hasPrefix(claim) }.map { $0.0.count }.max() ?? 0) + 1)
            let fields = max(21, (rows.filter { $0.0.hasPrefix("  ") }.map { $0.0.count }.max() ?? 0) + 1)
            for (label, value) in rows {
                let width = label.hasPrefix(claim) ? label.count + 2 : label.hasPrefix("  ") ? fields : top
                output += DisplayText.escaped(label + String(repeating: " ", count: max(1, width - label.count)) + value) + "\n"
            }
        }
        return (output, failure)
    }

    private func decode(_ text: String, rows: inout [(String, String)], pairs: inout [(String, JSONText)]) throws(QRCertError) {
        let bytes = vi ? "byte" : "bytes"
        var partial = Payload.Partial()
        let decoded: Payload
        do throws(QRCertError) {
            decoded = try Payload.decode(text, limits: .standard, partial: &partial)
        } catch {
            if let prefix = partial.prefix {
                rows.append((vi ? "tiền tố" : "prefix", prefix.rawValue))
                pairs.append(("prefix", .string(prefix.rawValue)))
            }
            if let compressed = partial.compressed {
                rows.append(("zlib", "\(compressed.count) \(bytes)  \(Hex.encode(compressed))"))
                pairs.append(("zlib", .string(Hex.encode(compressed))))
            }
            if let cose = partial.coseBytes {
                rows.append(("cose", "\(cose.count) \(bytes)  \(Hex.encode(cose))"))
                pairs.append(("cose", .string(Hex.encode(cose))))
            }
            throw error
        }
        let cose = decoded.cose
        rows.append((vi ? "tiền tố" : "prefix", decoded.prefix.rawValue))
        rows.append(("base45", vi ? "\(decoded.base45.count) ký tự (mã \(text.count))" : "\(decoded.base45.count) characters (payload \(text.count))"))
        rows.append(("zlib", "\(decoded.compressed.count) \(bytes)"))
        rows.append(("cose", "\(decoded.coseBytes.count) \(bytes), \(vi ? "thẻ" : "tags") \(cose.tags)  \(Hex.encode(decoded.coseBytes))"))
        rows.append((vi ? "được bảo vệ" : "protected", CBORJSON.convert(.map(cose.protectedHeader)).rendered))
        rows.append((vi ? "không bảo vệ" : "unprotected", CBORJSON.convert(.map(cose.unprotectedHeader)).rendered))
        rows.append((vi ? "chữ ký" : "signature", "\(cose.signature.count) \(bytes)  \(Hex.encode(cose.signature))"))
        pairs += [("prefix", .string(decoded.prefix.rawValue)), ("base45_characters", .number(Int64(decoded.base45.count))),
                  ("zlib_bytes", .number(Int64(decoded.compressed.count))), ("cose", .string(Hex.encode(decoded.coseBytes))),
                  ("tags", .array(cose.tags.map { .number(Int64(clamping: $0)) })),
                  ("protected", CBORJSON.convert(.map(cose.protectedHeader))), ("unprotected", CBORJSON.convert(.map(cose.unprotectedHeader))),
                  ("signature", .string(Hex.encode(cose.signature)))]
        let claims = try CWTClaims.decode(try CBORDecoder.decode(cose.payload))
        let time = { (seconds: Int64?) in seconds.map(reader.time) ?? "-" }
        rows += [("iss", claims.issuer ?? "-"), ("iat", time(claims.issuedAt)), ("nbf", time(claims.notBefore)),
                 ("exp", time(claims.expiresAt)), ("cti", claims.certificateID.map(Hex.encode) ?? "-")]
        pairs += [("iss", .optional(claims.issuer)), ("iat", .optional(claims.issuedAt.map(Timestamp.iso))),
                  ("nbf", .optional(claims.notBefore.map(Timestamp.iso))), ("exp", .optional(claims.expiresAt.map(Timestamp.iso))),
                  ("cti", .optional(claims.certificateID.map(Hex.encode)))]
        if let content = claims[CWTClaims.Key.credential], case .text(let type)? = content[1],
           let profile = profiles.first(where: { $0.type == type }), let record = content[2] {
            let credential = try Credential(cbor: record, profile: profile)
            rows.append((vi ? "loại" : "type", "\(type) (\(profile.name.in(language)))"))
            for (field, value) in credential.values {
                // English shows the field's name as in the records file; Vietnamese its label.
                rows.append(("  " + (vi ? field.label.in(language) : field.name), reader.value(value, field)))
            }
            if let flag = content[SpecimenPolicy.key] {
                rows.append((vi ? "mẫu" : "specimen", vi && flag == .bool(true) ? "có" : CBORJSON.convert(flag).rendered))
                pairs.append(("specimen", CBORJSON.convert(flag)))
            }
            pairs += [("type", .string(type)),
                      ("record", .object(credential.values.map { ($0.field.name, .string(Credential.displayText($0.value, $0.field))) }))]
        } else {
            for pair in claims.others {
                rows.append(((vi ? "trường " : "claim ") + CBORJSON.keyText(pair.key), CBORJSON.convert(pair.value).rendered))
            }
            pairs += [("type", .null), ("claims", .object(claims.others.map { (CBORJSON.keyText($0.key), CBORJSON.convert($0.value)) }))]
        }
    }
}

import QRCert
import QRCertCrypto
import QRCertFormat

/// Turns a verdict into what a person reads at arm's length, or into one JSON line.
struct VerdictRenderer {
    let language: Language
    let style: Style

    /// VALID / INVALID, the reason in plain words, then the credential as a card.
    func text(_ verdict: Verdict) -> String {
        var out = ""
        let vi = language == .vi
        if verdict.isValid {
            out += style.green(vi ? " ✔ HỢP LỆ " : " ✔ VALID ")
        } else {
            out += style.red(vi ? " ✘ KHÔNG HỢP LỆ " : " ✘ INVALID ")
        }
        if let credential = verdict.credential {
            out += "  " + style.bold(credential.profile.name.in(language))
        }
        out += "\n"
        for failure in verdict.failures {
            out += "  \(ReasonText.plain(failure, language: language)) [\(failure.code)]\n"
        }
        guard verdict.signatureVerified else { return out + "\n" }
        var rows: [(String, String)] = []
        rows.append((vi ? "Đơn vị cấp" : "Issuer", verdict.issuer ?? "-"))
        if let kid = verdict.keyID {
            let alg = verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name } ?? "?"
            rows.append((vi ? "Khóa" : "Key", "\(Hex.encode(kid)) \(alg) (\(verdict.anchor?.source ?? "-"))"))
        }
        if let credential = verdict.credential {
            let from = credential.displayValue(credential.profile.validFrom) ?? "-"
            let until = credential.profile.validUntil.flatMap { credential.displayValue($0) } ?? (vi ? "không thời hạn" : "no expiry")
            rows.append((vi ? "Hiệu lực" : "Valid", "\(from) → \(until)"))
            for (field, value) in credential.values {
                rows.append((field.label.in(language), Credential.displayText(value, field)))
            }
        } else if let claims = verdict.claims {
            rows.append((vi ? "Cấp lúc" : "Issued at", claims.issuedAt.map(Timestamp.iso) ?? "-"))
            rows.append((vi ? "Hết hạn" : "Expires", claims.expiresAt.map(Timestamp.iso) ?? "-"))
            for pair in claims.others {
                rows.append(("claim \(CBORJSON.keyText(pair.key))", CBORJSON.convert(pair.value).rendered))
            }
        }
        let width = rows.map { $0.0.count }.max() ?? 0
        for (label, value) in rows {
            out += "  " + style.dim(label.padding(toLength: width, withPad: " ", startingAt: 0)) + "  " + value + "\n"
        }
        return out + "\n"
    }

    /// One JSON object: `valid`, `stage`, `code`, `message`, `kid`, `issuer`, `issued_at`, `expires_at`, `record`, ...
    func json(_ verdict: Verdict) -> String {
        let reason = verdict.reason
        var pairs: [(String, JSONText)] = [
            ("valid", .bool(verdict.isValid)),
            ("stage", .optional(reason?.stage.rawValue)),
            ("code", .optional(reason?.code)),
            ("message", .optional(reason?.message)),
            ("failures", .array(verdict.failures.map { .object([("stage", .string($0.stage.rawValue)), ("code", .string($0.code)), ("message", .string($0.message))]) })),
            ("prefix", .optional(verdict.prefix?.rawValue)),
            ("kid", .optional(verdict.keyID.map(Hex.encode))),
            ("alg", .optional(verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name })),
            ("signature_verified", .bool(verdict.signatureVerified)),
            ("trusted_by", .optional(verdict.anchor?.source)),
            ("issuer", .optional(verdict.issuer)),
            ("issued_at", .optional(verdict.issuedAt.map(Timestamp.iso))),
            ("not_before", .optional(verdict.claims?.notBefore.map(Timestamp.iso))),
            ("expires_at", .optional(verdict.expiresAt.map(Timestamp.iso))),
            ("cti", .optional(verdict.claims?.certificateID.map(Hex.encode))),
            ("checked_at", .string(Timestamp.iso(verdict.time))),
        ]
        if let credential = verdict.credential {
            pairs.append(("type", .string(credential.profile.type)))
            pairs.append(("id", .string(credential.id)))
            pairs.append(("record", .object(credential.values.map { ($0.field.name, .string(Credential.displayText($0.value, $0.field))) })))
        } else {
            pairs.append(("type", .null))
            pairs.append(("id", .null))
            pairs.append(("record", .null))
            if let claims = verdict.claims, verdict.signatureVerified {
                pairs.append(("claims", .object(claims.others.map { (CBORJSON.keyText($0.key), CBORJSON.convert($0.value)) })))
            }
        }
        return JSONText.object(pairs).rendered
    }
}

/// CBOR shown as JSON for generic (foreign) claims: byte strings as hex, tags dropped, non-text keys as text.
enum CBORJSON {
    static func convert(_ item: CBOR) -> JSONText {
        switch item {
        case .unsigned, .negative: return item.int64.map { .number($0) } ?? .string("\(item)")
        case .bytes(let b): return .string(Hex.encode(b))
        case .text(let t): return .string(t)
        case .array(let items): return .array(items.map(convert))
        case .map(let pairs): return .object(pairs.map { (keyText($0.key), convert($0.value)) })
        case .tagged(_, let inner): return convert(inner)
        case .bool(let b): return .bool(b)
        case .null, .undefined: return .null
        case .simple(let v): return .string("simple(\(v))")
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? .number(Int64(d)) : .string("\(d)")
        }
    }

    static func keyText(_ key: CBOR) -> String {
        switch key {
        case .text(let t): return t
        default: return key.int64.map(String.init) ?? "\(key)"
        }
    }
}

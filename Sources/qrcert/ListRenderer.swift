import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat

/// How `trust-list show`, `revoke show` and `revoke check` print a signed list, as text or JSON. Names,
/// types, reasons and file names go through `DisplayText.escaped`: an unverified list is shown too.
enum ListRenderer {
    // MARK: - What both kinds share

    /// `trust list, production, 3 key(s), #4, issued ..., next update due ..., refused from ...`.
    static func written(_ header: ListHeader, what: String) -> String {
        "\(what), #\(header.sequence), issued \(Timestamp.iso(header.issuedAt)), next update due \(Timestamp.iso(header.nextUpdate)), refused from \(Timestamp.iso(header.expiresAt))"
    }

    /// The first line: the edition, and who signed it (VERIFIED with `verifiedWith`, or UNVERIFIED naming how to check it).
    static func headline(_ list: some SignedList, file: String, verifiedWith: String?, howToCheck: String) -> String {
        let file = DisplayText.escaped(file), kind = type(of: list).kind.noun
        guard let verifiedWith else {
            return "\(file): \(kind) #\(list.header.sequence), UNVERIFIED (signed by \(Hex.encode(list.signerKeyID)); \(howToCheck))\n"
        }
        return "\(file): \(kind) #\(list.header.sequence), signature VERIFIED with \(DisplayText.escaped(verifiedWith))\n"
    }

    /// The header as `show` lines.
    static func describe(_ header: ListHeader) -> String {
        "  sequence     \(header.sequence)\n  issued       \(Timestamp.iso(header.issuedAt))\n"
            + "  next update  \(Timestamp.iso(header.nextUpdate)) (grace \(header.grace / 86_400) day(s): refused from \(Timestamp.iso(header.expiresAt)))\n"
    }

    /// `file`, `verified`, `signer_kid` and the header as `show --json` fields.
    static func fields(_ list: some SignedList, file: String, verified: Bool) -> [(String, JSONText)] {
        let header = list.header
        return [("file", .string(file)),
                ("verified", .bool(verified)),
                ("signer_kid", .string(Hex.encode(list.signerKeyID))),
                ("sequence", .number(Int64(clamping: header.sequence))),
                ("issued_at", .string(Timestamp.iso(header.issuedAt))),
                ("next_update", .string(Timestamp.iso(header.nextUpdate))),
                ("grace_days", .number(header.grace / 86_400)),
                ("refused_from", .string(Timestamp.iso(header.expiresAt)))]
    }

    // MARK: - Trust lists

    /// `trust-list show`.
    static func text(_ list: TrustList, file: String, verified: Bool) -> String {
        let e = DisplayText.escaped
        var out = headline(list, file: file, verifiedWith: verified ? "root \(Hex.encode(list.signerKeyID))" : nil, howToCheck: "pass --root to check")
        out += describe(list.header)
        out += "  environment  \(list.environment.rawValue)\n  authority    \(e(list.authority))\n  keys         \(list.entries.count)\n"
        for entry in list.entries {
            var status = entry.status.word
            switch entry.status {
            case .active: break
            case .retired(let at): status += " since \(Timestamp.iso(at))"
            case .removed(let at, let reason): status += " at \(Timestamp.iso(at)): \(e(reason))"
            }
            let type = e(entry.key.typeDescription)
            out += "\n  \(Hex.encode(entry.keyID))  \(entry.certificate.map { CertificateChain.isCA($0) ? "CA certificate (\(type))" : "certificate (\(type))" } ?? type)  \(status)\n"
            out += "    issuer  \(e(entry.issuer))\n    types   \(e(entry.types.joined(separator: ", ")))\n"
            out += "    valid   \(Timestamp.iso(entry.notBefore)) → \(Timestamp.iso(entry.notAfter))\n"
        }
        return out
    }

    /// `trust-list show --json`.
    static func json(_ list: TrustList, file: String, verified: Bool) -> String {
        let keys: [JSONText] = list.entries.map { entry in
            var pairs: [(String, JSONText)] = [
                ("kid", .string(Hex.encode(entry.keyID))),
                ("issuer", .string(entry.issuer)),
                ("key_type", .string(entry.key.typeDescription)),
                ("certificate", .bool(entry.certificate != nil)),
                ("types", .array(entry.types.map { .string($0) })),
                ("not_before", .string(Timestamp.iso(entry.notBefore))),
                ("not_after", .string(Timestamp.iso(entry.notAfter))),
                ("status", .string(entry.status.word)),
            ]
            switch entry.status {
            case .active: break
            case .retired(let at): pairs.append(("retired_at", .string(Timestamp.iso(at))))
            case .removed(let at, let reason): pairs += [("removed_at", .string(Timestamp.iso(at))), ("reason", .string(reason))]
            }
            return .object(pairs)
        }
        return JSONText.object(fields(list, file: file, verified: verified) + [
            ("environment", .string(list.environment.rawValue)),
            ("authority", .string(list.authority)),
            ("sha256", .string(Hex.encode(list.digest))),
            ("keys", .array(keys)),
        ]).rendered
    }

    // MARK: - Revocation lists

    /// `revoke show` without the entries.
    static func text(_ list: RevocationList, file: String, verified: Bool) -> String {
        var out = headline(list, file: file, verifiedWith: verified ? "\(Hex.encode(list.signerKeyID)) (\(describe(list.scope)))" : nil,
                           howToCheck: "pass --root, --trust-list or --trust to check")
        out += describe(list.header)
        out += "  issuer       \(DisplayText.escaped(list.issuer))\n  entries      \(list.count)\n"
        return out
    }

    /// `revoke show --json`, with every entry when `entries`.
    static func json(_ list: RevocationList, file: String, verified: Bool, entries: Bool) -> String {
        var pairs = fields(list, file: file, verified: verified)
        pairs += [("issuer", .string(list.issuer)), ("utc_offset_seconds", .number(list.utcOffset)),
                  ("scope", verified ? .string(describe(list.scope)) : .null), ("count", .number(Int64(list.count))),
                  ("sha256", .string(Hex.encode(list.digest)))]
        if entries { pairs.append(("entries", .array(list.entries.map(json)))) }
        return JSONText.object(pairs).rendered
    }

    /// What a verified list may withdraw, from its signer.
    static func describe(_ scope: RevocationList.Scope) -> String {
        switch scope {
        case .all: return "root: any credential"
        case .issuer(let name): return "issuer key: credentials of \(name)"
        case .key(let kid): return "key: credentials signed by \(Hex.encode(kid))"
        }
    }

    /// `5f1c0a9e3b7d2468  suspended  2025-06-01 → 2025-09-30  reason`.
    static func line(_ entry: RevocationEntry) -> String {
        switch entry.status {
        case .revoked: return "\(Hex.encode(entry.certificateID))  revoked    \(entry.since)               \(DisplayText.escaped(entry.reason))"
        case .suspended(let until): return "\(Hex.encode(entry.certificateID))  suspended  \(entry.since) → \(until)  \(DisplayText.escaped(entry.reason))"
        }
    }

    /// One entry of `revoke show --json --entries`.
    static func json(_ entry: RevocationEntry) -> JSONText {
        var pairs: [(String, JSONText)] = [("cti", .string(Hex.encode(entry.certificateID))), ("status", .string(entry.status.word)),
                                           ("since", .string(entry.since.description))]
        if case .suspended(let until) = entry.status { pairs.append(("until", .string(until.description))) }
        pairs.append(("reason", .string(entry.reason)))
        return .object(pairs)
    }

    /// The line of each of `items` (nil: none), handed to `write` in pieces of about 64 KiB, so that a million entries stream.
    static func stream<S: Sequence>(_ items: S, _ line: (S.Element) -> String?, to write: (String) -> Void) {
        var out = ""
        for item in items {
            guard let text = line(item) else { continue }
            out += text + "\n"
            if out.utf8.count >= 1 << 16 {
                write(out)
                out = ""
            }
        }
        write(out)
    }
}

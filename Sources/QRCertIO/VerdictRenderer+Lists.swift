import QRCert
import QRCertFormat

/// What `verify` says about the signed lists behind a verdict (docs/TRUST.md).
extension VerdictRenderer {
    /// REVOKED or SUSPENDED in place of INVALID when a revocation list withdraws the credential.
    func revocationWord(_ verdict: Verdict) -> String? {
        guard let entry = verdict.revocation else { return nil }
        let vi = language == .vi
        switch entry.status {
        case .revoked: return vi ? "ĐÃ THU HỒI" : "REVOKED"
        case .suspended: return vi ? "TẠM ĐÌNH CHỈ" : "SUSPENDED"
        }
    }

    /// One line per list used: `Trust list #5 of 2025-06-01T00:00:00Z, production, Cục Đường bộ Việt Nam (trust.cose)`.
    func listLines(_ verdict: Verdict) -> String {
        let vi = language == .vi
        var out = ""
        for list in verdict.lists {
            let label = list.kind == .trustList ? (vi ? "Danh sách tin cậy" : "Trust list") : (vi ? "Danh sách thu hồi" : "Revocation list")
            var facts = [vi ? "số \(list.header.sequence) ngày \(reader.time(list.header.issuedAt))"
                            : "#\(list.header.sequence) of \(Timestamp.iso(list.header.issuedAt))"]
            if let environment = list.environment { facts.append(reader.environment(environment)) }
            if list.kind == .revocations { facts.append(vi ? "\(list.count) mục" : "\(list.count) entries") }
            facts.append(list.issuer)
            var line = DisplayText.escaped("\(label) " + facts.joined(separator: ", ") + " (\(list.source))")
            if list.header.freshness(at: verdict.time) != .current {
                line += vi ? " — QUÁ HẠN CẬP NHẬT" : " — OUT OF DATE"
            }
            out += "  " + style.dim(line) + "\n"
        }
        return out
    }

    /// `trust_list` (object or null), `revocation_lists` (array) and `revocation` (the entry in force, or null).
    func listFields(_ verdict: Verdict) -> [(String, JSONText)] {
        func object(_ list: ListSummary) -> JSONText {
            var pairs: [(String, JSONText)] = [
                ("file", .string(list.source)),
                ("sequence", .number(Int64(clamping: list.header.sequence))),
                ("issued_at", .string(Timestamp.iso(list.header.issuedAt))),
                ("next_update", .string(Timestamp.iso(list.header.nextUpdate))),
                ("freshness", .string(list.header.freshness(at: verdict.time).rawValue)),
            ]
            if let environment = list.environment { pairs.append(("environment", .string(environment))) }
            pairs += [(list.kind == .trustList ? "authority" : "issuer", .string(list.issuer)),
                      ("signer_kid", .string(Hex.encode(list.signerKeyID))),
                      (list.kind == .trustList ? "keys" : "entries", .number(Int64(list.count))),
                      ("sha256", .string(Hex.encode(list.digest)))]
            return .object(pairs)
        }
        let trustList = verdict.lists.first { $0.kind == .trustList }
        let revocation: JSONText
        if let entry = verdict.revocation {
            var pairs: [(String, JSONText)] = [("status", .string(entry.status.word)), ("since", .string(entry.since.description))]
            if case .suspended(let until) = entry.status { pairs.append(("until", .string(until.description))) }
            pairs.append(("reason", .string(entry.reason)))
            revocation = .object(pairs)
        } else {
            revocation = .null
        }
        return [("trust_list", trustList.map(object) ?? .null),
                ("revocation_lists", .array(verdict.lists.filter { $0.kind == .revocations }.map(object))),
                ("revocation", revocation)]
    }
}

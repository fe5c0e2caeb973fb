import QRCertFormat

extension Verifier {
    /// Revocation policy (docs/TRUST.md): every revocation list whose scope covers the key that verified is
    /// searched for the credential's `cti`; an entry in force at the verdict's time withdraws it.
    /// A credential without a `cti` cannot be checked, so it fails (`CTI_MISSING`) when a list applies.
    func revocation(_ claims: CWTClaims, anchor: TrustAnchor, into verdict: inout Verdict) {
        let applicable = lists.revocations.filter { $0.list.scope.covers(anchor) }
        guard let first = applicable.first else { return }
        guard let cti = claims.certificateID else {
            verdict.failures.append(QRCertError(.revocation, "CTI_MISSING",
                                                "no certificate id (cti), so revocation list #\(first.list.header.sequence) (\(first.source)) cannot be checked"))
            return
        }
        for (list, source) in applicable {
            guard let entry = list.entry(for: cti), entry.inForce(at: verdict.time, utcOffset: list.utcOffset) else { continue }
            let origin = "revocation list #\(list.header.sequence) of \(list.issuer), \(source)"
            switch entry.status {
            case .revoked:
                verdict.failures.append(QRCertError(.revocation, "CTI_REVOKED",
                                                    "revoked since \(entry.since): \(entry.reason) (\(origin))"))
            case .suspended(let until):
                verdict.failures.append(QRCertError(.revocation, "CTI_SUSPENDED",
                                                    "suspended from \(entry.since) to \(until) inclusive: \(entry.reason) (\(origin))"))
            }
            verdict.revocation = entry
            return
        }
    }
}

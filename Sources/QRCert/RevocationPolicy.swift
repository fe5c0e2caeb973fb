import QRCertFormat

/// Step 12 of docs/FORMAT.md §5 (docs/TRUST.md): every revocation list whose scope covers the signer key is
/// searched for the credential's `cti`; an entry in force at the verification time withdraws it. A credential
/// whose `cti` cannot be looked up (absent, or not 8 bytes) fails closed (`CTI_MISSING`) when a list applies.
public struct RevocationPolicy: VerificationPolicy {
    public static let step = 12
    public static let name = "Revocation policy"

    /// The revocation lists in force, each with its scope, and where each came from.
    public let revocations: [(list: RevocationList, source: String)]

    /// A revocation policy over `revocations`.
    public init(revocations: [(list: RevocationList, source: String)]) { self.revocations = revocations }

    public func check(_ input: inout PolicyInput) -> [QRCertError] {
        guard !revocations.isEmpty else { return [] }
        let signer = input.signer
        guard let first = revocations.first(where: { $0.list.scope.covers(signer) }) else { return [] }
        guard let cti = input.claims.certificateID, cti.count == RevocationEntry.certificateIDCount else {
            let what = input.claims.certificateID.map { "a certificate id (cti) of \($0.count) bytes, not \(RevocationEntry.certificateIDCount)," }
                ?? "no certificate id (cti),"
            return [QRCertError(.revocation, "CTI_MISSING",
                                "\(what) so revocation list #\(first.list.header.sequence) (\(first.source)) cannot be checked")]
        }
        for (list, source) in revocations where list.scope.covers(signer) {
            guard let entry = list.entry(for: cti), entry.inForce(at: input.time, utcOffset: list.utcOffset) else { continue }
            let origin = "revocation list #\(list.header.sequence) of \(list.issuer), \(source)"
            input.revocation = entry
            switch entry.status {
            case .revoked:
                return [QRCertError(.revocation, "CTI_REVOKED", "revoked since \(entry.since): \(entry.reason) (\(origin))")]
            case .suspended(let until):
                return [QRCertError(.revocation, "CTI_SUSPENDED", "suspended from \(entry.since) to \(until) inclusive: \(entry.reason) (\(origin))")]
            }
        }
        return []
    }
}

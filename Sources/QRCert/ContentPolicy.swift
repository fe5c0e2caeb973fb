import QRCertFormat

/// Step 9 of docs/FORMAT.md §5 (§5.2): a qrcert credential names its issuer as the issuer writes it, has a
/// well-formed `cti`, and carries a known credential type with a record its profile accepts, whose window is
/// the signed one. The first failing check is the step's failure.
public struct ContentPolicy: VerificationPolicy {
    public static let step = 9
    public static let name = "Content policy"

    /// Known profiles by type.
    public let profiles: [String: Profile]

    /// A content policy knowing `profiles`.
    public init(profiles: [String: Profile]) { self.profiles = profiles }

    public func check(_ input: inout PolicyInput) -> [QRCertError] {
        guard input.isQRCertCredential else { return [] }  // foreign payloads: generic CWT, no business rules
        // The record is decoded whatever the issuer and cti checks say, so the validity policy's no-expiry rule
        // depends on the record alone (docs/FORMAT.md §5 step 10); the failure shown is still the first in order.
        let credential: Credential
        do throws(QRCertError) {
            credential = try decodeRecord(&input)
        } catch {
            return [claimFailure(input.claims.issuer, input.claims.certificateID) ?? error]
        }
        input.record = credential
        if let failure = claimFailure(input.claims.issuer, input.claims.certificateID) { return [failure] }
        // The window in the claims must be the one the record states.
        if input.claims.notBefore != credential.validFrom || input.claims.expiresAt != credential.validUntil {
            return [QRCertError(.content, "CONTENT_WINDOW_MISMATCH",
                                "nbf/exp do not match the record's \(credential.profile.validFrom)/\(credential.profile.validUntil ?? "no expiry")")]
        }
        input.credential = credential
        return []
    }

    /// The failure of checks 1 and 2, which come before the record's in the step's order.
    private func claimFailure(_ issuer: String?, _ certificateID: [UInt8]?) -> QRCertError? {
        do throws(QRCertError) {
            try checkIssuer(issuer)
            try checkCertificateID(certificateID)
            return nil
        } catch {
            return error
        }
    }

    /// Check 1: `iss` present, and as the issuer writes it (what `Issuer` refuses with ISSUER_BAD_NAME, this refuses).
    private func checkIssuer(_ issuer: String?) throws(QRCertError) {
        guard let issuer else { throw QRCertError(.content, "CWT_NO_ISSUER", "no issuer (iss) claim") }
        let facts = FieldText.Facts(issuer)  // one pass for every rule
        guard facts.utf8Count > 0, facts.utf8Count <= 200, FieldText.isTrimmed(issuer, facts), FieldText.isNFC(issuer, facts),
              !facts.hasControlCharacter else {
            throw QRCertError(.content, "CWT_BAD_ISSUER",
                              "issuer (iss) \"\(issuer)\" is not 1 to 200 bytes of NFC text without surrounding spaces or control characters")
        }
    }

    /// Check 2: a `cti` is exactly 8 bytes (docs/FORMAT.md §4.6).
    private func checkCertificateID(_ certificateID: [UInt8]?) throws(QRCertError) {
        if let cti = certificateID, cti.count != RevocationEntry.certificateIDCount {
            throw QRCertError(.content, "CONTENT_BAD_CTI", "certificate id (cti) is \(cti.count) bytes, not \(RevocationEntry.certificateIDCount)")
        }
    }

    /// Checks 3 and 4: the credential claim names a known type, and its record fits that profile. A `QC2:`
    /// credential (an array, docs/FORMAT.md §9) is read by `CompactCredential`, which also gives the `nbf` and
    /// `cti` it leaves out; the encoding must be the prefix's (`COMPACT_VERSION_MISMATCH`).
    private func decodeRecord(_ input: inout PolicyInput) throws(QRCertError) -> Credential {
        let content = input.claims[CWTClaims.Key.credential]
        if case .array(let items)? = content {
            guard input.prefix != .qrcert else {
                throw QRCertError(.content, "COMPACT_VERSION_MISMATCH", "a QC1: payload carries a QC2: (compact) credential")
            }
            let (credential, derived) = try CompactCredential.decode(items, claims: input.claims, keyID: input.keyID, profiles: profiles)
            input.claims = derived
            return credential
        }
        guard case .map? = content, let content else {
            throw QRCertError(.content, "CONTENT_MISSING", "no credential claim (\(CWTClaims.Key.credential))")
        }
        guard input.prefix != .compact else {
            throw QRCertError(.content, "COMPACT_VERSION_MISMATCH", "a QC2: payload carries a version 1 credential (a map)")
        }
        guard case .text(let type)? = content.item(1) else {
            throw QRCertError(.content, "CONTENT_BAD_RECORD", "credential type must be text")
        }
        guard let profile = profiles[type] else {
            throw QRCertError(.content, "CONTENT_UNKNOWN_TYPE", "credential type \(type) has no profile here",
                              hint: "pass its profile with --profile FILE")
        }
        guard let record = content.item(2) else { throw QRCertError(.content, "CONTENT_BAD_RECORD", "credential has no record") }
        return try Credential(cbor: record, profile: profile)
    }
}

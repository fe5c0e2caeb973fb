import QRCertFormat

/// Step 13 of docs/FORMAT.md §5: a specimen (a training card, a sample for a form or a press photo) is
/// signed as one, key 3 of the credential claim set to `true` (§4.5), and is never VALID, however genuine
/// its signature: a training card read at the roadside must not pass for a licence.
public struct SpecimenPolicy: VerificationPolicy {
    public static let step = 13
    public static let name = "Specimen policy"

    /// Key of the specimen flag in the credential claim's map (the third item of a `QC2:` credential array).
    public static let key: Int64 = 3

    /// The policy; it needs nothing but the claims.
    public init() {}

    public func check(_ input: inout PolicyInput) -> [QRCertError] {
        guard let flag = input.specimenFlag else { return [] }
        // Only `true` is written; anything else is not a form the issuer makes, and fails closed.
        guard case .bool(true) = flag else {
            return [QRCertError(.content, "CONTENT_BAD_RECORD", "credential key 3 (specimen) must be true when present")]
        }
        return [QRCertError(.content, "CONTENT_SPECIMEN", "the credential is a specimen, signed as such: not a real document",
                            hint: "specimens are issued for training and samples (issue --specimen)")]
    }
}

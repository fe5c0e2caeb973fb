import QRCertFormat

/// Turns what a reader yields into credentials: the profile's checks plus uniqueness of ids across the input.
public struct RecordChecker: Sendable {
    /// The profile rows must follow.
    public let profile: Profile
    private var seenIDs = Set<String>()

    /// A checker for `profile`.
    public init(profile: Profile) { self.profile = profile }

    /// The credential, or why the row is rejected.
    public mutating func check(_ item: RecordReadResult) -> Result<(RecordRow, Credential), RejectedRow> {
        switch item {
        case .rejected(let rejection):
            return .failure(rejection)
        case .row(let row):
            do throws(RejectedRow) {
                let credential = try Credential(row: row, profile: profile)
                guard seenIDs.insert(credential.id).inserted else {
                    return .failure(RejectedRow(source: row.source, line: row.line, field: profile.idField, id: credential.id,
                        error: QRCertError(.records, "REC_DUPLICATE_ID", "\(credential.id) appears earlier in the input")))
                }
                return .success((row, credential))
            } catch {
                return .failure(error)
            }
        }
    }
}

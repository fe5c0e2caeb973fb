import QRCertFormat

extension BatchIssue {
    /// Reads `reader` to its end checking every row of this run's partition as `run` would, without signing
    /// anything (`issue --strict`'s first pass): the header against the profile, each row (`RecordChecker`),
    /// and each credential's window against the signer certificate. Returns the rows `run` would reject for
    /// these reasons, in input order; a fault that stops reading (`REC_BAD_QUOTE`) throws.
    ///
    /// A payload too long for any QR code (`IMG_TOO_LONG`) is not foreseen: its length is known only once it is
    /// signed (the signature's bytes go through zlib with the rest).
    public func check<Reader: RecordReader>(_ reader: inout Reader) throws(QRCertError) -> [RejectedRow] {
        var checker = RecordChecker(profile: profile)
        var rejects: [RejectedRow] = []
        try reader.start(checking: profile)
        while let next = try reader.next() {
            switch checker.check(next) {
            case .failure(let rejection):
                if partition.owns(rejection) { rejects.append(rejection) }
            case .success(let (row, credential)):
                if partition.contains(id: credential.id), let problem = issuer.certificateProblem(credential) {
                    rejects.append(RejectedRow(source: row.source, line: row.line, field: problem.field, id: credential.id, error: problem.error))
                }
            }
        }
        return rejects
    }
}

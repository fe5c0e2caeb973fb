import QRCertFormat
import QRCertImage

extension BatchIssue {
    /// Reads `reader` to its end checking every row of this run's partition as `run` would, without signing
    /// anything (`issue --strict`'s first pass): the header against the profile, each row (`RecordChecker`),
    /// each credential's window against the signer certificate and, when the run draws QR codes at `drawnAt`,
    /// whether the payload fits one (`IMG_TOO_LONG`). Returns the rows `run` would reject for these reasons, in
    /// input order; a fault that stops reading (`REC_BAD_QUOTE`) throws.
    ///
    /// The fit is foreseen for `QC2:` payloads only: with no zlib and a signature of fixed length, the text with a
    /// placeholder signature (`Issuer.placeholderPayload`) is as long as the signed one. Under `QC1:` the zlib
    /// stream's length depends on the signature's bytes, so a payload too long is found only when it is drawn,
    /// and `run` rejects that record alone.
    public func check<Reader: RecordReader>(_ reader: inout Reader, drawnAt level: ErrorCorrection? = nil) throws(QRCertError) -> [RejectedRow] {
        var checker = RecordChecker(profile: profile)
        var rejects: [RejectedRow] = []
        try reader.start(checking: profile)
        while let next = try reader.next() {
            switch checker.check(next) {
            case .failure(let rejection):
                if partition.owns(rejection) { rejects.append(rejection) }
            case .success(let (row, credential)):
                guard partition.contains(id: credential.id) else { continue }
                if let problem = issuer.certificateProblem(credential) {
                    rejects.append(RejectedRow(source: row.source, line: row.line, field: problem.field, id: credential.id, error: problem.error))
                } else if let level, let tooLong = try fitProblem(credential, row: row, level: level) {
                    // As `run` reports it when the draw fails: the whole payload is at fault, no one field.
                    rejects.append(RejectedRow(source: row.source, line: row.line, field: nil, id: credential.id, error: tooLong))
                }
            }
        }
        return rejects
    }

    /// `IMG_TOO_LONG` when `credential`'s payload fits no QR code at `level`; nil when it fits or cannot be told
    /// before signing (`QC1:`). A fault building the payload names its record, as `run` does.
    private func fitProblem(_ credential: Credential, row: RecordRow, level: ErrorCorrection) throws(QRCertError) -> QRCertError? {
        let text: String?
        do throws(QRCertError) {
            text = try issuer.placeholderPayload(for: credential)
        } catch {
            throw error.located("\(row.source):\(row.line): record \(credential.id)")
        }
        guard let text, try !QRCode.fits(text, level: level) else { return nil }
        return QRCode.tooLong(bytes: text.utf8.count, level: level)
    }
}

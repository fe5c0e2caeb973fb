/// The one error type of qrcert: where it happened, a stable machine code, and a message a person can act on.
///
/// Codes are listed in `docs/ERRORS.md`; they are never renamed or reused, and tests compare them.
public struct QRCertError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pipeline stage or subsystem that failed.
    public enum Stage: String, Sendable, CaseIterable, Codable {
        // Verification stages, in the order docs/FORMAT.md checks them.
        case prefix, base45, zlib, cbor, cose, key, signature, validity, content, revocation
        // Everything else.
        case records, profile, sign, io, image, trust, usage, `internal`
    }

    /// Where it failed.
    public let stage: Stage
    /// Stable machine code, e.g. `B45_BAD_CHAR`.
    public let code: String
    /// One line naming the file, row and field where there is one; lower case, no final period.
    public let message: String
    /// What the user can do about it, when there is something to say.
    public let hint: String?

    /// Creates an error.
    public init(_ stage: Stage, _ code: String, _ message: String, hint: String? = nil) {
        self.stage = stage
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// `message [CODE]`, the form the CLI prints after `qrcert: error: `.
    public var description: String { "\(message) [\(code)]" }

    /// The same error with its message prefixed by a location such as `records.csv:12: class`.
    public func located(_ location: String) -> QRCertError {
        QRCertError(stage, code, "\(location): \(message)", hint: hint)
    }
}

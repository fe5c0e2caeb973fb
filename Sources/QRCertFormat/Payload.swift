/// The QR text: `QC1:` + Base45(zlib(COSE_Sign1)), or `QC2:` + Base45(COSE_Sign1) (docs/FORMAT.md §2, §9).
///
/// Decoding walks the stages in order and fails at the first one that does not hold, naming it;
/// every intermediate form is kept so `inspect` and the conformance tests can show it.
public struct Payload: Sendable {
    /// Prefixes this codec understands.
    public enum Prefix: String, Sendable, CaseIterable {
        /// qrcert's own format, version 1.
        case qrcert = "QC1:"
        /// qrcert's compact format, version 2: no zlib, compact claims and record (docs/FORMAT.md §9).
        case compact = "QC2:"
        /// EU Digital COVID Certificate (foreign, generic CWT).
        case dcc = "HC1:"

        /// The prefix `text` starts with, from its UTF-8, where `text.hasPrefix` would say so for certain: the four
        /// ASCII bytes, then the end or an ASCII byte (no combining mark that would join the colon's character).
        init?(start utf8: UnsafeBufferPointer<UInt8>) {
            guard utf8.count >= 4, utf8[3] == UInt8(ascii: ":"), utf8[1] == UInt8(ascii: "C"), utf8.count == 4 || utf8[4] < 0x80
            else { return nil }
            switch (utf8[0], utf8[2]) {
            case (UInt8(ascii: "Q"), UInt8(ascii: "1")): self = .qrcert
            case (UInt8(ascii: "Q"), UInt8(ascii: "2")): self = .compact
            case (UInt8(ascii: "H"), UInt8(ascii: "1")): self = .dcc
            default: return nil
            }
        }

        /// Whether the Base45 bytes are a zlib stream (every prefix but `QC2:`).
        public var isCompressed: Bool { self != .compact }
    }

    /// Limits applied before any work is done (docs/FORMAT.md §6).
    public struct Limits: Sendable {
        /// Longest accepted text: the capacity of a version 40 QR symbol in alphanumeric mode.
        public var maxTextLength = 4296
        /// Largest inflated COSE message.
        public var maxInflatedSize = 65_536
        /// The defaults.
        public static let standard = Limits()
    }

    /// The prefix found.
    public let prefix: Prefix
    /// The Base45 text after the prefix.
    public let base45: String
    /// The Base45-decoded bytes (a zlib stream; the COSE bytes themselves under `QC2:`).
    public let compressed: [UInt8]
    /// The inflated bytes (COSE_Sign1 CBOR).
    public let coseBytes: [UInt8]
    /// The decoded COSE_Sign1.
    public let cose: CoseSign1

    /// The stages reached so far by a partial decode, for `inspect` of a broken payload.
    public struct Partial: Sendable {
        /// The prefix, when recognised.
        public var prefix: Prefix?
        /// The Base45 part.
        public var base45: String?
        /// The zlib stream.
        public var compressed: [UInt8]?
        /// The COSE bytes.
        public var coseBytes: [UInt8]?

        /// Nothing reached yet.
        public init() {}
    }

    /// Decodes every stage up to the COSE structure; the signature is not checked here.
    public static func decode(_ text: String, limits: Limits = .standard) throws(QRCertError) -> Payload {
        var partial = Partial()
        return try decode(text, limits: limits, partial: &partial)
    }

    /// As `decode(_:limits:)`, recording each stage reached in `partial` before a failure; `inflater`, when given,
    /// is reused for the zlib stage (one per thread: a verifier's workers keep theirs from payload to payload).
    public static func decode(
        _ text: String, limits: Limits, partial: inout Partial, inflater: Inflater? = nil
    ) throws(QRCertError) -> Payload {
        guard text.utf8.count <= limits.maxTextLength else {
            throw QRCertError(.prefix, "PAYLOAD_TOO_LONG",
                              "payload is \(text.utf8.count) bytes, more than the limit of \(limits.maxTextLength)")
        }
        guard let prefix = Prefix.allCases.first(where: { text.hasPrefix($0.rawValue) }) else {
            let shown = text.prefix(while: { $0 != ":" }).prefix(8)
            throw QRCertError(.prefix, "PREFIX_UNKNOWN",
                              "payload does not start with a known prefix (\(Prefix.allCases.map(\.rawValue).joined(separator: ", "))), found \"\(shown)\"")
        }
        partial.prefix = prefix
        let base45 = String(text.dropFirst(prefix.rawValue.count))
        partial.base45 = base45
        let compressed = try Base45.decode(base45)
        partial.compressed = compressed
        // QC2: carries the COSE message uncompressed: zlib only adds bytes to a compact payload (docs/FORMAT.md §9.1).
        let coseBytes: [UInt8]
        if !prefix.isCompressed {
            coseBytes = compressed
        } else if let inflater {
            coseBytes = try inflater.inflate(compressed, limit: limits.maxInflatedSize)
        } else {
            coseBytes = try Deflate.inflate(compressed, limit: limits.maxInflatedSize)
        }
        partial.coseBytes = coseBytes
        // The envelope is not signed: preferred serialisation only, so it cannot be re-encoded (docs/HOSTILE.md).
        let cose = try CoseSign1.decode(coseBytes, options: .preferred)
        return Payload(prefix: prefix, base45: base45, compressed: compressed, coseBytes: coseBytes, cose: cose)
    }

    /// What a verifier needs of a payload: its prefix and its COSE_Sign1 read in place.
    public struct View: Sendable {
        /// The prefix found.
        public let prefix: Prefix
        /// The COSE message.
        public let cose: CoseSign1.View
    }

    /// `decode(_:limits:partial:inflater:)` as a `View`, with the same answer and the same errors: the Base45 and
    /// zlib stages go into `inflater`'s buffers, reused from payload to payload, and the COSE message is read in place
    /// (`CoseSign1.view`). Text this path does not take (a failure, an unusual form) goes through `decode` itself.
    public static func view(_ text: String, limits: Limits = .standard, inflater: Inflater? = nil) throws(QRCertError) -> View {
        func general() throws(QRCertError) -> View {
            var partial = Partial()
            let payload = try decode(text, limits: limits, partial: &partial, inflater: inflater)
            return View(prefix: payload.prefix, cose: CoseSign1.View(payload.cose))
        }
        guard text.utf8.count <= limits.maxTextLength else { return try general() }
        // The buffers leave the inflater while in use, so that each is referenced once and written in place.
        var decoded = inflater?.decoded ?? []
        inflater?.decoded = []
        defer { inflater?.decoded = decoded }
        var text = text
        let prefix: Prefix? = text.withUTF8 { utf8 in
            guard let prefix = Prefix(start: utf8),
                  Base45.decodeValid(UnsafeBufferPointer(rebasing: utf8[4...]), into: &decoded)  // every prefix is 4 bytes
            else { return nil }
            return prefix
        }
        guard let prefix else { return try general() }
        guard prefix.isCompressed else {
            return View(prefix: prefix, cose: try CoseSign1.view(decoded, options: .preferred))
        }
        var inflated = inflater?.inflated ?? []
        inflater?.inflated = []
        defer { inflater?.inflated = inflated }
        if let inflater {
            try inflater.inflate(decoded, limit: limits.maxInflatedSize, into: &inflated)
        } else {
            inflated = try Deflate.inflate(decoded, limit: limits.maxInflatedSize)
        }
        return View(prefix: prefix, cose: try CoseSign1.view(inflated, options: .preferred))
    }

    /// Encodes a signed COSE_Sign1 as QR text.
    public static func encode(_ cose: CoseSign1, prefix: Prefix = .qrcert) -> String {
        prefix.rawValue + Base45.encode(prefix.isCompressed ? Deflate.compress(cose.encoded()) : cose.encoded())
    }
}

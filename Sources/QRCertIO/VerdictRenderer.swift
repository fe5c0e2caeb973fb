import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertImage

/// Turns a verdict into what a person reads at arm's length (the text card `qrcert verify` prints), or into
/// one JSON line (the exact bytes of `qrcert verify --json`, docs/FORMAT.md and README). Every front end
/// (the CLI, a server) renders through this type, so an answer reads the same wherever it is asked.
public struct VerdictRenderer: Sendable {
    /// The language of labels, reasons (`reason` in JSON) and dates.
    public let language: Language
    /// Colour and bold for a terminal; `Style(enabled: false)` for pipes, logs and JSON.
    public let style: Style
    /// A terminal: the verdict as a band across the screen. Otherwise (pipes, logs) one compact line.
    public var large = false
    /// Columns of the band, and on a terminal of the card (values longer than that are cut with `…`).
    public var width = 64

    /// A renderer for `language`, as one compact line per verdict (`large` off) 64 columns wide.
    public init(language: Language, style: Style) {
        self.language = language
        self.style = style
    }

    /// Dates, times and phrases in the reader's language.
    public var reader: ReaderText { ReaderText(language: language) }

    /// The record field that names the authority printed on the document (built-in profiles): shown only
    /// when it differs from the signer, so that the card has one line saying who signed.
    public static let authorityField = "issuing_authority"

    /// One answer: a verdict on a payload, or an image (or file) from which no payload could be read.
    public enum Answer: Sendable {
        /// The verifier's verdict on one payload.
        case verdict(Verdict)
        /// No payload could be read (a file that cannot be read, is not an image, or holds no code).
        case unread(QRCertError)

        /// Whether this is a valid verdict.
        public var isValid: Bool {
            if case .verdict(let verdict) = self { return verdict.isValid }
            return false
        }
    }

    /// Where a payload came from when it was read from an image: the file and the code's place in it.
    public struct Origin: Sendable {
        /// The file name as given (`-` for stdin); shown escaped, and as `file` in JSON.
        public let file: String
        /// The code, or nil when none was read from the file.
        public let symbol: DecodedSymbol?
        /// 1-based number of the code in the file, and how many the file holds.
        public let index: Int, count: Int

        /// Where code `index` of `count` in `file` was found (`symbol` nil, index and count 0, when none was).
        public init(file: String, symbol: DecodedSymbol?, index: Int, count: Int) {
            self.file = file
            self.symbol = symbol
            self.index = index
            self.count = count
        }
    }

    /// VALID / INVALID, the reason in plain words, then the credential as a card.
    public func text(_ verdict: Verdict) -> String { text(.verdict(verdict), origin: nil) }

    /// The answer for a person: where it came from (images), the verdict band, the reasons, the card.
    /// Every piece of text that came from outside (messages, which quote the input; fields; issuer; names;
    /// file names) goes through `DisplayText.escaped` here, before the styles add their own escapes.
    public func text(_ answer: Answer, origin: Origin?) -> String {
        let out = WriteBuffer(capacity: 1024)
        text(answer, origin: origin, into: out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// As `text(_:origin:)`, appended to `out` as UTF-8.
    public func text(_ answer: Answer, origin: Origin?, into out: inout [UInt8]) {
        let buffer = WriteBuffer(capacity: 1024)
        text(answer, origin: origin, into: buffer)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// As `text(_:origin:)`, appended to `out` as UTF-8: one buffer serves every answer of a run.
    public func text(_ answer: Answer, origin: Origin?, into out: WriteBuffer) {
        let vi = language == .vi
        if let origin { style.write(describe(origin), .dim, into: out); out.append(UInt8(ascii: "\n")) }
        let failures: [QRCertError]
        switch answer {
        case .verdict(let verdict):
            let credential = verdict.credential
            let title = credential.map { DisplayText.escaped($0.profile.name.in(language)) } ?? ""
            let lists = verdict.lists
            failures = verdict.failures
            // A key from a test environment's trust list: said in the band itself, not only in a dim line below.
            let test = lists.contains { $0.kind == .trustList && $0.environment == "test" } ? " · " + reader.testWord : ""
            if verdict.isValid {
                banner("✔", vi ? "HỢP LỆ" : "VALID", test, title, .green, into: out)
            } else if failures.contains(where: { $0.code == "CONTENT_SPECIMEN" }) {
                // Whatever else failed, a specimen says so first: it is a training card, not a forgery.
                banner("✘", vi ? "MẪU" : "SPECIMEN", test, title, .red, into: out)
            } else {
                banner("✘", revocationWord(verdict) ?? (vi ? "KHÔNG HỢP LỆ" : "INVALID"), test, title, .red, into: out)
            }
        case .unread(let error):
            banner("?", vi ? "KHÔNG ĐỌC ĐƯỢC MÃ" : "NO CODE READ", "", "", .yellow, into: out)
            failures = [error]
        }
        func line(_ text: String, _ span: Style.Span) {
            out.append("  ")
            style.write(text, span, into: out)
            out.append(UInt8(ascii: "\n"))
        }
        for failure in failures {
            line(ReasonText.sentence(failure, language: language), .bold)
            line(DisplayText.escaped(reader.detail(failure)), .dim)
            if case .unread = answer, let hint = reader.hint(failure) { line(DisplayText.escaped(hint), .dim) }
        }
        if case .verdict(let verdict) = answer {
            if let entry = verdict.revocation, let withdrawal = reader.withdrawal(entry) { line(DisplayText.escaped(withdrawal), .dim) }
            if !verdict.lists.isEmpty { out.append(utf8: listLines(verdict)) }
            if verdict.signatureVerified { card(verdict, into: out) }
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// `photo.jpg: code 2 of 3 at x 412, y 300`, or `photo.jpg` alone when no code was read.
    private func describe(_ origin: Origin) -> String {
        let file = DisplayText.escaped(origin.file)
        guard let symbol = origin.symbol else { return file }
        let vi = language == .vi
        return vi
            ? "\(file): mã \(origin.index)/\(origin.count), tại x \(symbol.x), y \(symbol.y)"
            : "\(file): code \(origin.index) of \(origin.count) at x \(symbol.x), y \(symbol.y)"
    }

    /// On a terminal a band across the screen (three coloured rows; ruled lines when colour is off),
    /// the word (and `suffix`, the test environment's mark) spaced out; elsewhere one line ` ✔ VALID   Driving licence`.
    private func banner(_ mark: StaticString, _ word: String, _ suffix: String, _ title: String, _ paint: Style.Span,
                        into out: WriteBuffer) {
        guard large else {
            // ` ✔ VALID ` painted, then the title in bold: written piece by piece, no string per answer.
            style.open(paint, into: out)
            out.append(UInt8(ascii: " "))
            out.append(mark)
            out.append(UInt8(ascii: " "))
            out.append(utf8: word)
            out.append(utf8: suffix)
            out.append(UInt8(ascii: " "))
            style.close(paint, into: out)
            if !title.isEmpty {
                out.append("  ")
                style.write(title, .bold, into: out)
            }
            out.append(UInt8(ascii: "\n"))
            return
        }
        let word = word + suffix
        let spaced = word.map { $0 == " " ? " " : String($0) }.joined(separator: " ")
        var middle = "   \(mark)  \(spaced)" + (title.isEmpty ? "" : "     \(title)")
        if middle.count > width { middle = String(middle.prefix(width)) }
        let padded = middle + String(repeating: " ", count: width - middle.count)
        guard style.enabled else {
            let rule = String(repeating: "═", count: width)
            return out.append(utf8: "\(rule)\n\(padded)\n\(rule)\n")
        }
        let blank = String(repeating: " ", count: width)
        for row in [blank, padded, blank] {
            style.write(row, paint, into: out)
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// The credential with its profile's labels: validity, the record's fields, then who signed it. Written
    /// straight into `out`, row by row (no string per row): the labels come escaped and measured from
    /// `CardLabels`, every value goes through `DisplayText.write` as it is written.
    private func card(_ verdict: Verdict, into out: WriteBuffer) {
        let vi = language == .vi
        let fixed = FixedCardLabels.of(language)
        let signer = verdict.issuer ?? "-"
        let kid = verdict.keyID
        var width = max(fixed.signedBy.width, kid == nil ? 0 : fixed.key.width)
        // On a terminal every row fits the band's width (80 at most): a long address or file name is cut
        // rather than wrapped, so an answer fits one 80x24 screen (--json has every value whole).
        func row(_ label: CardLabel, _ value: () -> Void) {
            // Not NSString's padding(toLength:) (bridging cost a tenth of `verify -`'s time, docs/PERFORMANCE.md), nor a String per row.
            out.append("  ")
            style.write(label.text, .dim, padding: width - label.width, into: out)
            out.append("  ")
            style.open(.bold, into: out)
            let start = out.count
            value()
            if large { cut(from: start, room: max(8, self.width - 4 - width), out) }
            style.close(.bold, into: out)
            out.append(UInt8(ascii: "\n"))
        }
        if let credential = verdict.credential {
            // The credential's fields are its profile's, found by position (no copy of a field per value).
            let profile = credential.profile
            let labels = CardLabels.of(profile, language: language)
            let fields = profile.fields
            func write(_ value: Credential.Value, at position: Int) {
                switch value {
                case .text(let text): DisplayText.write(text, into: out)
                case .date(let day): reader.date(day, into: out)
                case .enumeration: DisplayText.write(Credential.displayText(value, fields[position]), into: out)
                }
            }
            // The authority is said once, on the signer's line, unless the document names another.
            var authorityShown = false
            width = max(width, fixed.valid.width)
            for entry in credential.entries {
                if let authority = labels.authority, entry.position == authority.position {
                    authorityShown = reader.value(entry.value, fields[entry.position]) != signer
                    if authorityShown { width = max(width, authority.label.width) }
                } else {
                    width = max(width, labels.fields[entry.position].width)
                }
            }
            row(fixed.valid) {
                if let position = profile.validFromPosition, let from = credential.value(at: position) {
                    write(from, at: position)
                } else {
                    out.append(UInt8(ascii: "-"))
                }
                out.append(" → ")
                if let position = profile.validUntilPosition, let until = credential.value(at: position) {
                    write(until, at: position)
                } else {
                    out.append(utf8: vi ? "không thời hạn" : "no expiry")
                }
            }
            for entry in credential.entries {
                if let authority = labels.authority, entry.position == authority.position {
                    if authorityShown { row(authority.label) { write(entry.value, at: entry.position) } }
                } else {
                    row(labels.fields[entry.position]) { write(entry.value, at: entry.position) }
                }
            }
        } else if let claims = verdict.claims {
            // A credential of no known profile (shown only with its signature verified): its claims as they are.
            var rows = [(fixed.issuedAt, claims.issuedAt.map(reader.time) ?? "-"), (fixed.expires, claims.expiresAt.map(reader.time) ?? "-")]
            for pair in claims.others {
                rows.append((CardLabel((vi ? "trường " : "claim ") + CBORJSON.keyText(pair.key)), CBORJSON.convert(pair.value).rendered))
            }
            for (label, _) in rows { width = max(width, label.width) }
            for (label, value) in rows { row(label) { DisplayText.write(value, into: out) } }
        }
        row(fixed.signedBy) { DisplayText.write(signer, into: out) }
        if let kid {
            row(fixed.key) {
                Hex.encode(kid, into: out)
                out.append(UInt8(ascii: " "))
                DisplayText.write(verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name } ?? "?", into: out)
                out.append(" (")
                DisplayText.write(verdict.anchor?.source ?? "-", into: out)
                out.append(UInt8(ascii: ")"))
            }
        }
    }

    /// Cuts the value written into `out` from `start` to `room` characters (its last one `…`) when it is longer.
    private func cut(from start: Int, room: Int, _ out: WriteBuffer) {
        let value = out.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
        guard Self.characters(value) > room else { return }
        out.truncate(to: start)
        out.append(utf8: String(value.prefix(room - 1)) + "…")
    }

    /// `text.count` (characters as a person counts them), without walking grapheme clusters for the usual text:
    /// when every scalar is below U+0300 (ASCII, Latin-1, Latin Extended A and B, spacing modifiers) or a
    /// Vietnamese letter (Latin Extended Additional, U+1E00-U+1EFF), no scalar joins the one before it (none of
    /// them is Extend, SpacingMark, Prepend, ZWJ, Hangul or a regional indicator, UAX #29), so each scalar is one
    /// character; CR LF, the one pair of them that is one character, takes `count`.
    static func characters(_ text: String) -> Int {
        var text = text
        let fast: Int? = text.withUTF8 { bytes in
            var scalars = 0
            var i = 0
            let n = bytes.count
            while i < n {
                let b0 = bytes[i]
                if b0 < 0x80 {
                    if b0 == 0x0D { return nil }
                    i += 1
                } else if b0 < 0xCC {  // two bytes, U+0080-U+02FF
                    i += 2
                } else if b0 == 0xE1 && i + 1 < n && (bytes[i + 1] == 0xB8 || bytes[i + 1] == 0xB9 || bytes[i + 1] == 0xBA || bytes[i + 1] == 0xBB) {
                    i += 3  // U+1E00-U+1EFF
                } else {
                    return nil
                }
                scalars += 1
            }
            return scalars
        }
        return fast ?? text.count
    }

    /// One JSON object: `valid`, `stage`, `code`, `message`, `kid`, `issuer`, `issued_at`, `expires_at`, `record`, ...
    public func json(_ verdict: Verdict) -> String { json(.verdict(verdict), origin: nil) }

    /// One JSON object per answer; with an origin, `file`, `x` and `y` (null when no code was read) come last.
    public func json(_ answer: Answer, origin: Origin?) -> String {
        let out = WriteBuffer(capacity: 1024)
        json(answer, origin: origin, into: out)
        return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The line `qrcert verify --json` writes for `answer`: `json(_:origin:)` and a line feed, appended to `out`
    /// as UTF-8, byte for byte what the command prints.
    public func jsonLine(_ answer: Answer, origin: Origin? = nil, into out: inout [UInt8]) {
        let buffer = WriteBuffer(capacity: 1024)
        jsonLine(answer, origin: origin, into: buffer)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// As `jsonLine(_:origin:into:)`, appended to a `WriteBuffer`: one buffer serves every answer of a run.
    public func jsonLine(_ answer: Answer, origin: Origin? = nil, into out: WriteBuffer) {
        json(answer, origin: origin, into: out)
        out.append(UInt8(ascii: "\n"))
    }

    /// As `json(_:origin:)`, appended to `out` as UTF-8.
    public func json(_ answer: Answer, origin: Origin?, into out: inout [UInt8]) {
        let buffer = WriteBuffer(capacity: 1024)
        json(answer, origin: origin, into: buffer)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// As `json(_:origin:)`, appended to `out` as UTF-8: a verdict's members are written as they come (no tree of
    /// the line first).
    public func json(_ answer: Answer, origin: Origin?, into out: WriteBuffer) {
        var members = JSONMembers()
        switch answer {
        case .verdict(let verdict):
            fields(verdict, into: out)
            members = .continuing
        case .unread(let error):
            for (key, value) in fields(error) { members.add(key, value, into: out) }
        }
        if let origin {
            members.add("file", .string(origin.file), into: out)
            members.add("x", .optional(origin.symbol.map { Int64($0.x) }), into: out)
            members.add("y", .optional(origin.symbol.map { Int64($0.y) }), into: out)
        }
        members.close(into: out)
    }

    /// A verdict's members but the closing brace, written straight into `out`: each key with its comma and colon
    /// as one literal, and times, ids and strings without a `JSONText` or a `String` on the way (the line was the
    /// largest Swift cost of `verify --json`, docs/PERFORMANCE.md).
    private func fields(_ verdict: Verdict, into out: WriteBuffer) {
        func null() { out.append("null") }
        func string(_ key: StaticString, _ value: String?) {
            out.append(key)
            if let value { JSONString.quote(value, into: out) } else { null() }
        }
        // `not_before` is usually `issued_at`: the time written last is copied rather than written again.
        var lastTime: (value: Int64, at: Int)? = nil
        func time(_ key: StaticString, _ value: Int64?) {
            out.append(key)
            guard let value else { return null() }
            if let last = lastTime, last.value == value {
                let room = out.reserve(22)
                out.withUnsafeBytes { room.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + last.at, count: 22) }
                return out.commit(22)
            }
            let at = out.count
            out.append(UInt8(ascii: "\""))
            Timestamp.iso(value, into: out)
            out.append(UInt8(ascii: "\""))
            if out.count - at == 22 { lastTime = (value, at) }
        }
        func hex(_ key: StaticString, _ value: [UInt8]?) {
            out.append(key)
            guard let value else { return null() }
            out.append(UInt8(ascii: "\""))
            Hex.encode(value, into: out)
            out.append(UInt8(ascii: "\""))
        }
        // Each member read once: a verdict's members may sit behind an accessor.
        let failures = verdict.failures
        let claims = verdict.claims
        let signatureVerified = verdict.signatureVerified
        out.append(signatureVerified && failures.isEmpty ? "{\"valid\":true" : "{\"valid\":false")
        if let reason = failures.first {
            string(",\"stage\":", reason.stage.rawValue)
            string(",\"code\":", reason.code)
            string(",\"message\":", reason.message)
            string(",\"reason\":", ReasonText.sentence(reason, language: language))
            out.append(",\"failures\":")
            JSONText.array(failures.map { .object([("stage", .string($0.stage.rawValue)), ("code", .string($0.code)), ("message", .string($0.message))]) })
                .render(into: out)
        } else {
            out.append(",\"stage\":null,\"code\":null,\"message\":null,\"reason\":null,\"failures\":[]")
        }
        string(",\"prefix\":", verdict.prefix?.rawValue)
        hex(",\"kid\":", verdict.keyID)
        string(",\"alg\":", verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name })
        out.append(signatureVerified ? ",\"signature_verified\":true" : ",\"signature_verified\":false")
        string(",\"trusted_by\":", verdict.anchor?.source)
        string(",\"issuer\":", claims?.issuer)
        time(",\"issued_at\":", claims?.issuedAt)
        time(",\"not_before\":", claims?.notBefore)
        time(",\"expires_at\":", claims?.expiresAt)
        hex(",\"cti\":", claims?.certificateID)
        time(",\"checked_at\":", verdict.time)
        if let credential = verdict.credential {
            string(",\"type\":", credential.profile.type)
            string(",\"id\":", credential.id)
            out.append(",\"record\":")
            // Each value with its field found by position in the profile (no copy of a field per value).
            let fields = credential.profile.fields
            var record = JSONMembers()
            for entry in credential.entries {
                record.key(fields[entry.position].name, into: out)
                switch entry.value {
                case .text(let text): JSONString.quote(text, into: out)
                default: JSONString.quote(Credential.displayText(entry.value, fields[entry.position]), into: out)
                }
            }
            record.close(into: out)
        } else {
            out.append(",\"type\":null,\"id\":null,\"record\":null")
            if let claims, signatureVerified {
                out.append(",\"claims\":")
                JSONText.object(claims.others.map { (CBORJSON.keyText($0.key), CBORJSON.convert($0.value)) }).render(into: out)
            }
        }
        if verdict.lists.isEmpty && verdict.revocation == nil {
            // No signed list behind the verdict (a bare --trust key): what listFields would say, written as is.
            out.append(",\"trust_list\":null,\"revocation_lists\":[],\"revocation\":null")
        } else {
            var members = JSONMembers.continuing
            for (key, value) in listFields(verdict) { members.add(key, value, into: out) }
        }
    }

    /// The same keys as a verdict's line, for a file from which no payload was read.
    private func fields(_ error: QRCertError) -> [(String, JSONText)] {
        var pairs: [(String, JSONText)] = [
            ("valid", .bool(false)),
            ("stage", .string(error.stage.rawValue)),
            ("code", .string(error.code)),
            ("message", .string(error.message)),
            ("reason", .string(ReasonText.sentence(error, language: language))),
            ("failures", .array([.object([("stage", .string(error.stage.rawValue)), ("code", .string(error.code)), ("message", .string(error.message))])])),
        ]
        for key in ["prefix", "kid", "alg"] { pairs.append((key, .null)) }
        pairs.append(("signature_verified", .bool(false)))
        for key in ["trusted_by", "issuer", "issued_at", "not_before", "expires_at", "cti", "checked_at", "type", "id", "record"] {
            pairs.append((key, .null))
        }
        pairs += [("trust_list", .null), ("revocation_lists", .array([])), ("revocation", .null)]
        return pairs
    }
}

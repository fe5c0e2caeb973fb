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
        var out: [UInt8] = []
        text(answer, origin: origin, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// As `text(_:origin:)`, appended to `out` as UTF-8: one buffer serves every answer of a run.
    public func text(_ answer: Answer, origin: Origin?, into out: inout [UInt8]) {
        let vi = language == .vi
        if let origin { out.append(contentsOf: (style.dim(describe(origin)) + "\n").utf8) }
        let failures: [QRCertError]
        switch answer {
        case .verdict(let verdict):
            let title = verdict.credential.map { DisplayText.escaped($0.profile.name.in(language)) } ?? ""
            // A key from a test environment's trust list: said in the band itself, not only in a dim line below.
            let test = verdict.lists.contains { $0.kind == .trustList && $0.environment == "test" } ? " · " + reader.testWord : ""
            if verdict.isValid {
                out.append(contentsOf: banner("✔", (vi ? "HỢP LỆ" : "VALID") + test, title, paint: style.green).utf8)
            } else if verdict.failures.contains(where: { $0.code == "CONTENT_SPECIMEN" }) {
                // Whatever else failed, a specimen says so first: it is a training card, not a forgery.
                out.append(contentsOf: banner("✘", (vi ? "MẪU" : "SPECIMEN") + test, title, paint: style.red).utf8)
            } else {
                out.append(contentsOf: banner("✘", (revocationWord(verdict) ?? (vi ? "KHÔNG HỢP LỆ" : "INVALID")) + test, title, paint: style.red).utf8)
            }
            failures = verdict.failures
        case .unread(let error):
            out.append(contentsOf: banner("?", vi ? "KHÔNG ĐỌC ĐƯỢC MÃ" : "NO CODE READ", "", paint: style.yellow).utf8)
            failures = [error]
        }
        for failure in failures {
            out.append(contentsOf: ("  " + style.bold(ReasonText.sentence(failure, language: language)) + "\n").utf8)
            out.append(contentsOf: ("  " + style.dim(DisplayText.escaped(reader.detail(failure))) + "\n").utf8)
            if case .unread = answer, let hint = reader.hint(failure) { out.append(contentsOf: ("  " + style.dim(DisplayText.escaped(hint)) + "\n").utf8) }
        }
        if case .verdict(let verdict) = answer, let entry = verdict.revocation, let line = reader.withdrawal(entry) {
            out.append(contentsOf: ("  " + style.dim(DisplayText.escaped(line)) + "\n").utf8)
        }
        if case .verdict(let verdict) = answer { out.append(contentsOf: listLines(verdict).utf8) }
        if case .verdict(let verdict) = answer, verdict.signatureVerified { card(verdict, into: &out) }
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
    /// the word spaced out; elsewhere one line ` ✔ VALID   Driving licence`.
    private func banner(_ mark: String, _ word: String, _ title: String, paint: (String) -> String) -> String {
        guard large else {
            return paint(" \(mark) \(word) ") + (title.isEmpty ? "" : "  " + style.bold(title)) + "\n"
        }
        let spaced = word.map { $0 == " " ? " " : String($0) }.joined(separator: " ")
        var middle = "   \(mark)  \(spaced)" + (title.isEmpty ? "" : "     \(title)")
        if middle.count > width { middle = String(middle.prefix(width)) }
        let padded = middle + String(repeating: " ", count: width - middle.count)
        guard style.enabled else {
            let rule = String(repeating: "═", count: width)
            return "\(rule)\n\(padded)\n\(rule)\n"
        }
        let blank = String(repeating: " ", count: width)
        return paint(blank) + "\n" + paint(padded) + "\n" + paint(blank) + "\n"
    }

    /// The credential with its profile's labels: validity, the record's fields, then who signed it.
    private func card(_ verdict: Verdict, into out: inout [UInt8]) {
        let vi = language == .vi
        var rows: [(String, String)] = []
        let signer = verdict.issuer ?? "-"
        if let credential = verdict.credential {
            func shown(_ name: String) -> String? {
                credential.values.first { $0.field.name == name }.map { reader.value($0.value, $0.field) }
            }
            let from = shown(credential.profile.validFrom) ?? "-"
            let until = credential.profile.validUntil.flatMap(shown) ?? (vi ? "không thời hạn" : "no expiry")
            rows.append((vi ? "Hiệu lực" : "Valid", "\(from) → \(until)"))
            for (field, value) in credential.values {
                let text = reader.value(value, field)
                if field.name == Self.authorityField {
                    // Said once, on the signer's line, unless the document names another authority.
                    if text == signer { continue }
                    rows.append((field.label.in(language) + (vi ? " (trên giấy tờ)" : " (on the document)"), text))
                    continue
                }
                rows.append((field.label.in(language), text))
            }
        } else if let claims = verdict.claims {
            rows.append((vi ? "Cấp lúc" : "Issued at", claims.issuedAt.map(reader.time) ?? "-"))
            rows.append((vi ? "Hết hạn" : "Expires", claims.expiresAt.map(reader.time) ?? "-"))
            for pair in claims.others {
                rows.append(((vi ? "trường " : "claim ") + CBORJSON.keyText(pair.key), CBORJSON.convert(pair.value).rendered))
            }
        }
        rows.append((vi ? "Ký bởi" : "Signed by", signer))
        if let kid = verdict.keyID {
            let alg = verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name } ?? "?"
            rows.append((vi ? "Khóa" : "Key", "\(Hex.encode(kid)) \(alg) (\(verdict.anchor?.source ?? "-"))"))
        }
        rows = rows.map { (DisplayText.escaped($0.0), DisplayText.escaped($0.1)) }
        let counts = rows.map { $0.0.count }
        let width = counts.max() ?? 0
        // On a terminal every row fits the band's width (80 at most): a long address or file name is cut
        // rather than wrapped, so an answer fits one 80x24 screen (--json has every value whole).
        let room = max(8, self.width - 4 - width)
        for (index, (label, value)) in rows.enumerated() {
            let value = large && value.count > room ? String(value.prefix(room - 1)) + "…" : value
            // Not NSString's padding(toLength:) (bridging cost a tenth of `verify -`'s time, docs/PERFORMANCE.md), nor a String per row.
            out.append(contentsOf: "  ".utf8)
            style.dim(label, padding: width - counts[index], into: &out)
            out.append(contentsOf: "  ".utf8)
            style.bold(value, into: &out)
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// One JSON object: `valid`, `stage`, `code`, `message`, `kid`, `issuer`, `issued_at`, `expires_at`, `record`, ...
    public func json(_ verdict: Verdict) -> String { json(.verdict(verdict), origin: nil) }

    /// One JSON object per answer; with an origin, `file`, `x` and `y` (null when no code was read) come last.
    public func json(_ answer: Answer, origin: Origin?) -> String {
        var out: [UInt8] = []
        json(answer, origin: origin, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The line `qrcert verify --json` writes for `answer`: `json(_:origin:)` and a line feed, appended to `out`
    /// as UTF-8, byte for byte what the command prints.
    public func jsonLine(_ answer: Answer, origin: Origin? = nil, into out: inout [UInt8]) {
        json(answer, origin: origin, into: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// As `json(_:origin:)`, appended to `out` as UTF-8: one buffer serves every answer of a run, and a verdict's
    /// members are written as they come (no tree of the line first).
    public func json(_ answer: Answer, origin: Origin?, into out: inout [UInt8]) {
        var members = JSONMembers()
        switch answer {
        case .verdict(let verdict): fields(verdict, members: &members, into: &out)
        case .unread(let error): for (key, value) in fields(error) { members.add(key, value, into: &out) }
        }
        if let origin {
            members.add("file", .string(origin.file), into: &out)
            members.add("x", .optional(origin.symbol.map { Int64($0.x) }), into: &out)
            members.add("y", .optional(origin.symbol.map { Int64($0.y) }), into: &out)
        }
        members.close(into: &out)
    }

    /// A verdict's members, written straight into `out`: keys as fixed bytes, and times, ids and strings without
    /// a `JSONText` or a `String` on the way (the line was the largest Swift cost of `verify --json`, docs/PERFORMANCE.md).
    private func fields(_ verdict: Verdict, members: inout JSONMembers, into out: inout [UInt8]) {
        func key(_ key: StaticString) { members.key(plain: key, into: &out) }
        func null() { JSONMembers.append("null", into: &out) }
        func bool(_ name: StaticString, _ value: Bool) { key(name); JSONMembers.append(value ? "true" : "false", into: &out) }
        func string(_ name: StaticString, _ value: String?) {
            key(name)
            if let value { JSONString.quote(value, into: &out) } else { null() }
        }
        func time(_ name: StaticString, _ value: Int64?) {
            key(name)
            guard let value else { return null() }
            out.append(UInt8(ascii: "\""))
            Timestamp.iso(value, into: &out)
            out.append(UInt8(ascii: "\""))
        }
        func hex(_ name: StaticString, _ value: [UInt8]?) {
            key(name)
            guard let value else { return null() }
            out.append(UInt8(ascii: "\""))
            Hex.encode(value, into: &out)
            out.append(UInt8(ascii: "\""))
        }
        let reason = verdict.reason
        bool("valid", verdict.isValid)
        string("stage", reason?.stage.rawValue)
        string("code", reason?.code)
        string("message", reason?.message)
        string("reason", reason.map { ReasonText.sentence($0, language: language) })
        key("failures")
        if verdict.failures.isEmpty {
            JSONMembers.append("[]", into: &out)
        } else {
            JSONText.array(verdict.failures.map { .object([("stage", .string($0.stage.rawValue)), ("code", .string($0.code)), ("message", .string($0.message))]) })
                .render(into: &out)
        }
        string("prefix", verdict.prefix?.rawValue)
        hex("kid", verdict.keyID)
        string("alg", verdict.algorithm.flatMap { SignatureAlgorithm(rawValue: $0)?.name })
        bool("signature_verified", verdict.signatureVerified)
        string("trusted_by", verdict.anchor?.source)
        string("issuer", verdict.issuer)
        time("issued_at", verdict.issuedAt)
        time("not_before", verdict.claims?.notBefore)
        time("expires_at", verdict.expiresAt)
        hex("cti", verdict.claims?.certificateID)
        time("checked_at", verdict.time)
        if let credential = verdict.credential {
            string("type", credential.profile.type)
            string("id", credential.id)
            key("record")
            var record = JSONMembers()
            for (field, value) in credential.values {
                record.key(field.name, into: &out)
                JSONString.quote(Credential.displayText(value, field), into: &out)
            }
            record.close(into: &out)
        } else {
            key("type"); null()
            key("id"); null()
            key("record"); null()
            if let claims = verdict.claims, verdict.signatureVerified {
                key("claims")
                JSONText.object(claims.others.map { (CBORJSON.keyText($0.key), CBORJSON.convert($0.value)) }).render(into: &out)
            }
        }
        if verdict.lists.isEmpty && verdict.revocation == nil {
            // No signed list behind the verdict (a bare --trust key): what listFields would say, written as is.
            key("trust_list"); null()
            key("revocation_lists"); JSONMembers.append("[]", into: &out)
            key("revocation"); null()
        } else {
            for (key, value) in listFields(verdict) { members.add(key, value, into: &out) }
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

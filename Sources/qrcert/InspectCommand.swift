import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertFormat
import QRCertImage

/// `qrcert inspect`: every stage of a payload, decoded, with nothing verified.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode every stage of a payload without verifying it (output says UNVERIFIED).",
        discussion: """
        Shows the prefix, the Base45, zlib and COSE sizes, the headers, the signature bytes, the claims and the record, in Vietnamese or English (--lang, default from LANG); --json gives one object per payload instead. With --image, every QR code in each PNG or JPEG file is decoded and inspected. Nothing is checked against a key: use verify for that.

        Examples:
          qrcert inspect 'QC1:6BF...'
          head -1 payloads.txt | qrcert inspect -
          qrcert inspect --json 'QC1:6BF...' | jq .record
          qrcert inspect --lang vi --image photo.jpg
        """
    )

    @Argument(help: "The payload, or - to read one line from stdin (default).")
    var payload: String?

    @Option(help: "Extra profile JSON file, to name the fields of a type not built in.")
    var profile: [String] = []

    @Flag(help: "One JSON object per payload instead of text (\"unverified\": true, the stages, the claims, the record).")
    var json = false

    @Option(help: "Language of labels and messages: vi or en (default from LANG).")
    var lang: Language?

    @Option(name: .customLong("image"), parsing: .upToNextOption,
            help: "PNG or JPEG files whose QR codes to decode and inspect; - reads one image from stdin.")
    var images: [String] = []

    func validate() throws {
        if !images.isEmpty && payload != nil {
            throw ValidationError("give either a payload or --image files, not both (put every image file after --image)")
        }
    }

    func run() throws {
        let inspection = Inspection(language: lang ?? Language.fromEnvironment(), json: json, profiles: try ProfileLoader.all(adding: profile))
        if !images.isEmpty {
            var status = Status.ok
            for file in images {
                let symbols: [DecodedSymbol]
                do throws(QRCertError) {
                    let bytes = file == "-" ? try ImageScan.standardInput() : try ImageScan.readFile(file)
                    symbols = try QRDecoder.decode(imageBytes: bytes)
                } catch {
                    inspection.report(error.stage == .io ? error : error.located(file))
                    status = max(status, error.stage == .io ? Status.couldNotRun : Status.rejected)
                    continue
                }
                guard !symbols.isEmpty else {
                    inspection.report(QRCertError(.image, "IMG_NO_CODE", "\(file): no readable qr code in the image"))
                    status = max(status, Status.rejected)
                    continue
                }
                for (index, symbol) in symbols.enumerated() {
                    let origin = VerdictRenderer.Origin(file: file, symbol: symbol, index: index + 1, count: symbols.count)
                    status = max(status, inspection.show(symbol.text, origin: origin))
                }
            }
            if status != Status.ok { throw ExitCode(status) }
            return
        }
        let text: String
        if let payload, payload != "-" {
            text = payload
        } else {
            // Capped at 64 KiB as `verify -` is: a hostile endless line costs no more memory than that.
            var lines = BoundedLines(fd: 0)
            text = lines.next() ?? ""
        }
        let status = inspection.show(ScanText.normalize(text), origin: nil)
        if status != Status.ok { throw ExitCode(status) }
    }
}

/// One payload decoded stage by stage for `inspect`, as text lines (label, value) or one JSON object.
///
/// Everything shown is unverified text from the payload: each text line is escaped as a whole (no line holds
/// styling of ours), and JSON escapes the same characters, so nothing in a field, claim or message can drive
/// the terminal.
struct Inspection {
    let language: Language
    let json: Bool
    let profiles: [Profile]

    private var vi: Bool { language == .vi }
    private var reader: ReaderText { ReaderText(language: language) }

    /// Prints the inspection of `text`; the exit status it asks for (1 when decoding stopped).
    func show(_ text: String, origin: VerdictRenderer.Origin?) -> Int32 {
        var rows: [(String, String)] = []
        var pairs: [(String, JSONText)] = [("unverified", .bool(true))]
        if let origin, let symbol = origin.symbol {
            pairs += [("file", .string(origin.file)), ("x", .number(Int64(symbol.x))), ("y", .number(Int64(symbol.y)))]
        }
        var failure: QRCertError?
        do throws(QRCertError) {
            try decode(text, rows: &rows, pairs: &pairs)
        } catch {
            failure = error
            pairs.append(("error", .object([("stage", .string(error.stage.rawValue)), ("code", .string(error.code)),
                                            ("message", .string(error.message)),
                                            ("reason", .string(ReasonText.sentence(error, language: language)))])))
        }
        if json {
            Console.line(JSONText.object(pairs).rendered)
        } else {
            if let origin {
                let file = origin.file
                let place = origin.symbol.map { vi ? ": mã \(origin.index)/\(origin.count), tại x \($0.x), y \($0.y)"
                                                   : ": code \(origin.index) of \(origin.count) at x \($0.x), y \($0.y)" } ?? ""
                Console.line(DisplayText.escaped(file + place))
            }
            Console.line(vi ? "CHƯA XÁC MINH: chỉ giải mã; không mục nào dưới đây được kiểm tra bằng khóa"
                            : "UNVERIFIED: decoded only; nothing below is checked against any key")
            // Stage labels in a column of 12, record fields indented under `type` in one of 21 (wider when a
            // label needs it); padded by hand, not NSString (no bridging).
            // Claims of a payload that is no known credential follow their key after two spaces, unaligned.
            let claim = vi ? "trường " : "claim "
            let top = max(12, (rows.filter { !$0.0.hasPrefix("  ") && !$0.0.hasPrefix(claim) }.map { $0.0.count }.max() ?? 0) + 1)
            let fields = max(21, (rows.filter { $0.0.hasPrefix("  ") }.map { $0.0.count }.max() ?? 0) + 1)
            for (label, value) in rows {
                let width = label.hasPrefix(claim) ? label.count + 2 : label.hasPrefix("  ") ? fields : top
                Console.line(DisplayText.escaped(label + String(repeating: " ", count: max(1, width - label.count)) + value))
            }
            if let failure { report(failure) }
        }
        return failure == nil ? Status.ok : Status.rejected
    }

    /// An error about the input, on stderr: qrcert's English line, or its Vietnamese sentence and code.
    func report(_ error: QRCertError) {
        if vi {
            Console.diagnostic("qrcert: lỗi: \(ReasonText.sentence(error, language: .vi)) [\(error.code)]")
        } else {
            Console.report(error)
        }
    }

    private func decode(_ text: String, rows: inout [(String, String)], pairs: inout [(String, JSONText)]) throws(QRCertError) {
        let bytes = vi ? "byte" : "bytes"
        var partial = Payload.Partial()
        let decoded: Payload
        do throws(QRCertError) {
            decoded = try Payload.decode(text, limits: .standard, partial: &partial)
        } catch {
            if let prefix = partial.prefix {
                rows.append((vi ? "tiền tố" : "prefix", prefix.rawValue))
                pairs.append(("prefix", .string(prefix.rawValue)))
            }
            if let compressed = partial.compressed {
                rows.append(("zlib", "\(compressed.count) \(bytes)  \(Hex.encode(compressed))"))
                pairs.append(("zlib", .string(Hex.encode(compressed))))
            }
            if let cose = partial.coseBytes {
                rows.append(("cose", "\(cose.count) \(bytes)  \(Hex.encode(cose))"))
                pairs.append(("cose", .string(Hex.encode(cose))))
            }
            throw error
        }
        let cose = decoded.cose
        rows.append((vi ? "tiền tố" : "prefix", decoded.prefix.rawValue))
        rows.append(("base45", vi ? "\(decoded.base45.count) ký tự (mã \(text.count))" : "\(decoded.base45.count) characters (payload \(text.count))"))
        rows.append(("zlib", "\(decoded.compressed.count) \(bytes)"))
        rows.append(("cose", "\(decoded.coseBytes.count) \(bytes), \(vi ? "thẻ" : "tags") \(cose.tags)  \(Hex.encode(decoded.coseBytes))"))
        rows.append((vi ? "được bảo vệ" : "protected", CBORJSON.convert(.map(cose.protectedHeader)).rendered))
        rows.append((vi ? "không bảo vệ" : "unprotected", CBORJSON.convert(.map(cose.unprotectedHeader)).rendered))
        rows.append((vi ? "chữ ký" : "signature", "\(cose.signature.count) \(bytes)  \(Hex.encode(cose.signature))"))
        pairs += [("prefix", .string(decoded.prefix.rawValue)), ("base45_characters", .number(Int64(decoded.base45.count))),
                  ("zlib_bytes", .number(Int64(decoded.compressed.count))), ("cose", .string(Hex.encode(decoded.coseBytes))),
                  ("tags", .array(cose.tags.map { .number(Int64(clamping: $0)) })),
                  ("protected", CBORJSON.convert(.map(cose.protectedHeader))), ("unprotected", CBORJSON.convert(.map(cose.unprotectedHeader))),
                  ("signature", .string(Hex.encode(cose.signature)))]
        let claims = try CWTClaims.decode(try CBORDecoder.decode(cose.payload))
        let time = { (seconds: Int64?) in seconds.map(reader.time) ?? "-" }
        rows += [("iss", claims.issuer ?? "-"), ("iat", time(claims.issuedAt)), ("nbf", time(claims.notBefore)),
                 ("exp", time(claims.expiresAt)), ("cti", claims.certificateID.map(Hex.encode) ?? "-")]
        pairs += [("iss", .optional(claims.issuer)), ("iat", .optional(claims.issuedAt.map(Timestamp.iso))),
                  ("nbf", .optional(claims.notBefore.map(Timestamp.iso))), ("exp", .optional(claims.expiresAt.map(Timestamp.iso))),
                  ("cti", .optional(claims.certificateID.map(Hex.encode)))]
        if let content = claims[CWTClaims.Key.credential], case .text(let type)? = content[1],
           let profile = profiles.first(where: { $0.type == type }), let record = content[2] {
            let credential = try Credential(cbor: record, profile: profile)
            rows.append((vi ? "loại" : "type", "\(type) (\(profile.name.in(language)))"))
            for (field, value) in credential.values {
                // English shows the field's name as in the records file; Vietnamese its label.
                rows.append(("  " + (vi ? field.label.in(language) : field.name), reader.value(value, field)))
            }
            if let flag = content[SpecimenPolicy.key] {
                rows.append((vi ? "mẫu" : "specimen", vi && flag == .bool(true) ? "có" : CBORJSON.convert(flag).rendered))
                pairs.append(("specimen", CBORJSON.convert(flag)))
            }
            pairs += [("type", .string(type)),
                      ("record", .object(credential.values.map { ($0.field.name, .string(Credential.displayText($0.value, $0.field))) }))]
        } else {
            for pair in claims.others {
                rows.append(((vi ? "trường " : "claim ") + CBORJSON.keyText(pair.key), CBORJSON.convert(pair.value).rendered))
            }
            pairs += [("type", .null), ("claims", .object(claims.others.map { (CBORJSON.keyText($0.key), CBORJSON.convert($0.value)) }))]
        }
    }
}

/// `qrcert profiles`: the built-in credential profiles.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in profiles, or print one as JSON (a starting point for your own).",
        discussion: """
        Examples:
          qrcert profiles
          qrcert profiles driving-licence > my-licence.json
        """
    )

    @Argument(help: "A profile name to print.")
    var name: String?

    func run() throws {
        guard let name else {
            for profile in try BuiltinProfiles.all() {
                let builtIn = BuiltinProfiles.names.first { BuiltinProfiles.json(named: $0)?.contains("\"\(profile.type)\"") ?? false } ?? ""
                Console.line("\(builtIn.padding(toLength: 20, withPad: " ", startingAt: 0)) \(profile.type.padding(toLength: 6, withPad: " ", startingAt: 0)) \(profile.name.en) / \(profile.name.vi)")
            }
            return
        }
        guard let json = BuiltinProfiles.json(named: name) else {
            throw QRCertError(.profile, "PROFILE_UNKNOWN", "no built-in profile \(name)", hint: "built-in profiles: \(BuiltinProfiles.names.joined(separator: ", "))")
        }
        Console.write(json.hasSuffix("\n") ? json : json + "\n")
    }
}

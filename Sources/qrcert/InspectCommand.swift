import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertOptions
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
        let report = { (error: QRCertError) in Self.report(error, language: inspection.language) }
        if !images.isEmpty {
            var status = Status.ok
            for file in images {
                let symbols: [DecodedSymbol]
                do throws(QRCertError) {
                    let bytes = file == "-" ? try ImageScan.standardInput() : try ImageScan.readFile(file)
                    symbols = try QRDecoder.decode(imageBytes: bytes)
                } catch {
                    report(error.stage == .io ? error : error.located(file))
                    status = max(status, error.stage == .io ? Status.couldNotRun : Status.rejected)
                    continue
                }
                guard !symbols.isEmpty else {
                    report(QRCertError(.image, "IMG_NO_CODE", "\(file): no readable qr code in the image"))
                    status = max(status, Status.rejected)
                    continue
                }
                for (index, symbol) in symbols.enumerated() {
                    let origin = VerdictRenderer.Origin(file: file, symbol: symbol, index: index + 1, count: symbols.count)
                    status = max(status, Self.show(inspection, symbol.text, origin: origin))
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
            let lines = BoundedLines(fd: 0)
            text = lines.next() ?? ""
        }
        let status = Self.show(inspection, ScanText.normalize(text), origin: nil)
        if status != Status.ok { throw ExitCode(status) }
    }

    /// Prints the inspection of `text` (the error after it on stderr, for text); the exit status it asks for
    /// (1 when decoding stopped).
    private static func show(_ inspection: Inspection, _ text: String, origin: VerdictRenderer.Origin?) -> Int32 {
        let (output, failure) = inspection.render(text, origin: origin)
        Console.write(output)
        if let failure, !inspection.json { report(failure, language: inspection.language) }
        return failure == nil ? Status.ok : Status.rejected
    }

    /// An error about the input, on stderr: qrcert's English line, or its Vietnamese sentence and code.
    private static func report(_ error: QRCertError, language: Language) {
        if language == .vi {
            Console.diagnostic("qrcert: lỗi: \(ReasonText.sentence(error, language: .vi)) [\(error.code)]")
        } else {
            Console.report(error)
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

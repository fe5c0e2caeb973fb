import ArgumentParser
import Foundation
import QRCert
import QRCertFormat

/// `qrcert inspect`: every stage of a payload, decoded, with nothing verified.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode every stage of a payload without verifying it (output says UNVERIFIED).",
        discussion: """
        Examples:
          qrcert inspect 'QC1:6BF...'
          head -1 payloads.txt | qrcert inspect -
        """
    )

    @Argument(help: "The payload, or - to read one line from stdin (default).")
    var payload: String?

    @Option(help: "Extra profile JSON file, to name the fields of a type not built in.")
    var profile: [String] = []

    func run() throws {
        // Everything shown is unverified text from the payload: each line is escaped as a whole (no line holds
        // styling of ours), so nothing in a field, claim or message can drive the terminal.
        func show(_ line: String) { Console.line(DisplayText.escaped(line)) }
        let text: String
        if let payload, payload != "-" {
            text = payload
        } else {
            // Capped at 64 KiB as `verify -` is: a hostile endless line costs no more memory than that.
            var lines = BoundedLines(fd: 0)
            text = lines.next() ?? ""
        }
        let normalized = ScanText.normalize(text)
        show("UNVERIFIED: decoded only; nothing below is checked against any key")
        var partial = Payload.Partial()
        let decoded: Payload
        do throws(QRCertError) {
            decoded = try Payload.decode(normalized, limits: .standard, partial: &partial)
        } catch {
            if let prefix = partial.prefix { show("prefix      \(prefix.rawValue)") }
            if let compressed = partial.compressed { show("zlib        \(compressed.count) bytes  \(Hex.encode(compressed))") }
            if let cose = partial.coseBytes { show("cose        \(cose.count) bytes  \(Hex.encode(cose))") }
            Console.report(error)
            throw ExitCode(Status.rejected)
        }
        let cose = decoded.cose
        show("prefix      \(decoded.prefix.rawValue)")
        show("base45      \(decoded.base45.count) characters (payload \(normalized.count))")
        show("zlib        \(decoded.compressed.count) bytes")
        show("cose        \(decoded.coseBytes.count) bytes, tags \(cose.tags)  \(Hex.encode(decoded.coseBytes))")
        show("protected   \(CBORJSON.convert(.map(cose.protectedHeader)).rendered)")
        show("unprotected \(CBORJSON.convert(.map(cose.unprotectedHeader)).rendered)")
        show("signature   \(cose.signature.count) bytes  \(Hex.encode(cose.signature))")
        let claimsItem: CBOR
        do throws(QRCertError) {
            claimsItem = try CBORDecoder.decode(cose.payload)
        } catch {
            Console.report(error)
            throw ExitCode(Status.rejected)
        }
        let claims = try CWTClaims.decode(claimsItem)
        show("iss         \(claims.issuer ?? "-")")
        show("iat         \(claims.issuedAt.map(Timestamp.iso) ?? "-")")
        show("nbf         \(claims.notBefore.map(Timestamp.iso) ?? "-")")
        show("exp         \(claims.expiresAt.map(Timestamp.iso) ?? "-")")
        show("cti         \(claims.certificateID.map(Hex.encode) ?? "-")")
        let profiles = try ProfileLoader.all(adding: profile)
        if let content = claims[CWTClaims.Key.credential], case .text(let type)? = content[1],
           let profile = profiles.first(where: { $0.type == type }), let record = content[2] {
            let credential = try Credential(cbor: record, profile: profile)
            show("type        \(type) (\(profile.name.en))")
            for (field, value) in credential.values {
                show("  \(field.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(Credential.displayText(value, field))")
            }
        } else {
            for pair in claims.others {
                show("claim \(CBORJSON.keyText(pair.key))  \(CBORJSON.convert(pair.value).rendered)")
            }
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

import ArgumentParser
import Dispatch
import Foundation
import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat

/// `qrcert revoke`: suspend or revoke credentials in a signed revocation list.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Suspend or revoke credentials in a signed revocation list; lift, show and check entries (docs/TRUST.md).",
        discussion: """
        A revocation list is one file (COSE_Sign1, .cose) signed by the root or by an issuer key of the trust list. Its entries are certificate ids (the cti of each credential: 16 hex digits, listed in the manifest.jsonl that issue writes), each revoked or suspended until a date, with a reason. An issuer key's list withdraws only that issuer's credentials; the root's list any credential. Every change re-signs the list with a higher sequence. `revoke` alone means `revoke add`.

        Examples:
          qrcert revoke --list revocations.cose --key keys/danang-csgt.key.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" --status suspended \\
              --until 2025-09-30 --reason "hết điểm giấy phép lái xe" \\
              --cti 5f1c0a9e3b7d2468
          qrcert revoke --list revocations.cose --key keys/danang-csgt.key.pem \\
              --status revoked --reason "court order" --from ctis.txt
          qrcert revoke lift --list revocations.cose \\
              --key keys/danang-csgt.key.pem --cti 5f1c0a9e3b7d2468
          qrcert revoke renew --list revocations.cose \\
              --key keys/danang-csgt.key.pem
          qrcert revoke show revocations.cose --trust-list trust-list.cose \\
              --root root.pub.pem --entries
          qrcert revoke check revocations.cose --root root.pub.pem \\
              --trust-list trust-list.cose --cti 5f1c0a9e3b7d2468
        """,
        subcommands: [Add.self, Lift.self, Renew.self, Show.self, Check.self],
        defaultSubcommand: Add.self
    )

    /// `add`: new entries, creating the list if the file does not exist.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Revoke or suspend credentials (creates the list when the file does not exist).")

        @OptionGroup var signing: RevocationSigning

        @Option(help: "revoked (for good) or suspended (until --until).")
        var status: StatusChoice

        @Option(help: "Last day of a suspension (YYYY-MM-DD, inclusive, in the list's time zone, +07:00).")
        var until: String?

        @Option(help: "First day it applies (YYYY-MM-DD; default today).")
        var since: String?

        @Option(help: "Why, as the inspector will read it.")
        var reason: String

        @Option(help: "The issuer named in the list (required to create one).")
        var issuer: String?

        @OptionGroup var which: CertificateIDChoice

        func run() throws {
            let time = try TimeOption.time(signing.edition.at)
            let ids = try which.collect()
            var entryStatus = RevocationEntry.Status.revoked
            switch (status, until) {
            case (.revoked, nil): break
            case (.revoked, _?): throw QRCertError(.usage, "USAGE", "--until applies to --status suspended only")
            case (.suspended, nil): throw QRCertError(.usage, "USAGE", "--status suspended needs --until YYYY-MM-DD, the last day of the suspension")
            case (.suspended, let text?): entryStatus = .suspended(until: try Self.date(text, "--until"))
            }
            try signing.update(time: time, creatingWith: issuer) { (list: inout RevocationList) throws(QRCertError) in
                let start = try since.map { (text) throws(QRCertError) in try Self.date(text, "--since") }
                    ?? CivilDate(at: time, utcOffset: list.utcOffset)
                try list.set(ids, status: entryStatus, since: start, reason: reason)
                let what = entryStatus == .revoked ? "revoked" : "suspended from \(start) to \(until ?? "")"
                return "\(ids.count) certificate id(s) \(what): \(list.entry(for: ids[0])?.reason ?? reason)"
            }
        }

        static func date(_ text: String, _ option: String) throws(QRCertError) -> CivilDate {
            guard let date = CivilDate(text) else { throw QRCertError(.usage, "USAGE", "\(option) \(text) is not a date YYYY-MM-DD") }
            return date
        }
    }

    /// `lift`: entries taken off (a suspension ended early, an entry made in error).
    struct Lift: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "lift", abstract: "Take certificate ids off the list (a suspension lifted early, an entry made in error).")

        @OptionGroup var signing: RevocationSigning

        @OptionGroup var which: CertificateIDChoice

        func run() throws {
            let time = try TimeOption.time(signing.edition.at)
            let ids = try which.collect()
            try signing.update(time: time, creatingWith: nil) { (list: inout RevocationList) throws(QRCertError) in
                var lifted = 0
                for id in ids {
                    if list.lift(id) { lifted += 1 } else { Console.warn("\(Hex.encode(id)) is not on the list") }
                }
                return "lifted \(lifted) of \(ids.count) certificate id(s)"
            }
        }
    }

    /// `renew`: the same entries, a higher sequence and fresh dates (an authority re-signs on schedule even without changes).
    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "renew", abstract: "Re-sign the list unchanged with a higher sequence and a new next-update time.")

        @OptionGroup var signing: RevocationSigning

        func run() throws {
            try signing.update(time: try TimeOption.time(signing.edition.at), creatingWith: nil) { (_: inout RevocationList) throws(QRCertError) in "renewed" }
        }
    }

    /// `show`: header and, with `--entries`, every entry.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a revocation list (UNVERIFIED unless a key to check it is given).")

        @Argument(help: "The revocation list.")
        var file: String

        @OptionGroup var keys: RevocationKeys

        @Flag(help: "List every entry too.")
        var entries = false

        @Flag(help: "One JSON object instead of text.")
        var json = false

        @Option(help: "Time for the trust list's key windows (ISO 8601) instead of now.")
        var at: String?

        func run() throws {
            let bytes = try ListFile.read(file, .revocations)
            let list = try keys.open(bytes, file: file, at: try TimeOption.time(at))
            let verified = keys.given
            if json {
                Console.line(ListRenderer.json(list, file: file, verified: verified, entries: entries))
                return
            }
            Console.write(ListRenderer.text(list, file: file, verified: verified))
            guard entries else { return }
            ListRenderer.stream(list.entries, ListRenderer.line, to: Console.write)
        }
    }

    /// `check`: is this certificate id withdrawn? With `--timing`, how long loading and looking up took.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Look certificate ids up in a verified revocation list; exit 1 if any is withdrawn at --at.",
            discussion: "With --timing, prints on stderr the time to read the file, to check its signature and index it, and per lookup.")

        @Argument(help: "The revocation list.")
        var file: String

        @OptionGroup var keys: RevocationKeys

        @OptionGroup var which: CertificateIDChoice

        @Option(help: "Time of the check (ISO 8601) instead of now.")
        var at: String?

        @Flag(help: "Print load and lookup times on stderr.")
        var timing = false

        func run() throws {
            guard keys.given else {
                throw QRCertError(.usage, "USAGE", "check needs a key to verify the list", hint: "pass --root (and --trust-list), or --trust SIGNER.pub.pem")
            }
            let time = try TimeOption.time(at)
            let ids = try which.collect()
            let started = DispatchTime.now().uptimeNanoseconds
            let bytes = try ListFile.read(file, .revocations)
            let read = DispatchTime.now().uptimeNanoseconds
            let list = try keys.open(bytes, file: file, at: time)
            let loaded = DispatchTime.now().uptimeNanoseconds
            var found: [RevocationEntry?] = []
            found.reserveCapacity(ids.count)
            for id in ids { found.append(list.entry(for: id)) }
            let looked = DispatchTime.now().uptimeNanoseconds
            if timing {
                let listed = found.lazy.filter { $0 != nil }.count
                func ms(_ n: UInt64) -> String { String(format: "%.1f ms", Double(n) / 1e6) }
                Console.diagnostic("qrcert: \(file): \(bytes.count) bytes, \(list.count) entries")
                Console.diagnostic("qrcert: read \(ms(read - started)); signature check and index \(ms(loaded - read)); load total \(ms(loaded - started))")
                Console.diagnostic(String(format: "qrcert: %d lookups in %@: %.0f ns each (%d listed)",
                                          ids.count, ms(looked - loaded), Double(looked - loaded) / Double(max(ids.count, 1)), listed))
            }
            var withdrawn = false
            ListRenderer.stream(zip(ids, found), { (id, entry) in
                guard let entry else { return "\(Hex.encode(id))  not listed" }
                let inForce = entry.inForce(at: time, utcOffset: list.utcOffset)
                withdrawn = withdrawn || inForce
                return ListRenderer.line(entry) + (inForce ? "" : "  (not in force at \(Timestamp.iso(time)))")
            }, to: Console.write)
            if withdrawn { throw ExitCode(Status.rejected) }
        }
    }

    enum StatusChoice: String, ExpressibleByArgument, CaseIterable {
        case revoked, suspended
    }
}

/// The key that signs a revocation list, and how the next edition is made.
struct RevocationSigning: ParsableArguments {
    @Option(help: "The revocation list to create or update (.cose).")
    var list: String

    @Option(help: "Private key that signs it (PEM file, mode 0600, or pkcs11: URI): the issuer's key in the trust list, or the root.")
    var key: String

    @Option(name: .customLong("previous-key"), help: "Public key that signed the current edition, when it was another key (after a key rotation).")
    var previousKey: String?

    @OptionGroup var edition: Edition

    @OptionGroup var passphrase: PassphraseOptions

    /// Opens the list (checking that this key or `--previous-key` signed it) or makes a new one named
    /// `issuer`, renews its edition, applies `change`, signs it and writes it atomically.
    func update(time: Int64, creatingWith issuer: String?, _ change: (inout RevocationList) throws(QRCertError) -> String) throws(QRCertError) {
        let signer = try passphrase.loadSigner(key)
        try ListEditor.edit(list, edition: edition, signer: signer, at: time, open: { (bytes) throws(QRCertError) in
            var revocations = try ListFile.revocations(bytes, source: list, signedBy: signer.publicKey, previousKey: previousKey)
            if let issuer { revocations.issuer = issuer }
            return revocations
        }, create: { () throws(QRCertError) in
            guard let issuer else {
                throw QRCertError(.io, "IO_READ", "revocation list \(list) does not exist", hint: "to make a new one, pass --issuer NAME")
            }
            return try RevocationList(header: try edition.value.first(at: time, validDays: 7, graceDays: 7), issuer: issuer)
        }, change: change, what: { "revocation list of \($0.issuer), \($0.count) entries, signed by \(Hex.encode(signer.publicKey.keyID))" })
    }
}

/// The keys that may have signed a revocation list: the root, the trust list's issuer keys, or `--trust` keys.
struct RevocationKeys: ParsableArguments {
    @Option(help: "The authority's root public key (PEM).")
    var root: String?

    @Option(name: .customLong("trust-list"), help: "Signed trust list whose issuer keys may sign revocation lists; needs --root.")
    var trustList: String?

    @Option(help: "A trusted signer's public key or certificate; repeatable.")
    var trust: [String] = []

    var given: Bool { root != nil || !trust.isEmpty }

    func validate() throws {
        if trustList != nil && root == nil { throw ValidationError("--trust-list needs --root ROOT.pub.pem, the key that signed it") }
    }

    /// The list, its signature checked when a key is given; UNVERIFIED otherwise.
    func open(_ bytes: [UInt8], file: String, at time: Int64) throws(QRCertError) -> RevocationList {
        guard given else { return try RevocationList.openUnverified(bytes, source: file) }
        return try ListFile.revocations(bytes, source: file, root: root, trustList: trustList, trust: trust, at: time)
    }
}

import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat

/// `qrcert trust-list`: the authority's signed list of issuer keys.
struct TrustListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust-list",
        abstract: "Make, update and show the signed list of trusted issuer keys (docs/TRUST.md).",
        discussion: """
        A trust list is one file (COSE_Sign1, .cose) signed with the authority's root key. It names each issuer key with its issuer, the credential types it may sign and its validity, and carries a sequence number, its issue time, the time its next update is due, a grace period and an environment (production or test). Every update re-signs the list with a higher sequence.

        Examples:
          qrcert keygen --out root/vn-root
          qrcert trust-list create --root-key root/vn-root.key.pem \\
              --authority "Cục Cảnh sát giao thông" \\
              --environment production --out trust-list.cose
          qrcert trust-list add-key trust-list.cose \\
              --root-key root/vn-root.key.pem --key keys/danang-csgt.pub.pem \\
              --issuer "Phòng CSGT Công an TP. Đà Nẵng" \\
              --types driving-licence --not-after 2030-01-01
          qrcert trust-list retire-key trust-list.cose \\
              --root-key root/vn-root.key.pem --kid 0a1b2c3d4e5f6071 \\
              --end 2031-01-01
          qrcert trust-list remove-key trust-list.cose \\
              --root-key root/vn-root.key.pem --kid 0a1b2c3d4e5f6071 \\
              --reason "key stolen"
          qrcert trust-list show trust-list.cose --root root/vn-root.pub.pem
        """,
        subcommands: [Create.self, AddKey.self, RetireKey.self, RemoveKey.self, Renew.self, Show.self]
    )

    /// `create`: a new, empty list, sequence 1 unless told.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Make a new signed trust list with no keys (never overwrites).")

        @Option(name: .customLong("root-key"), help: "The root private key that signs the list: a PEM file (mode 0600) or a pkcs11: URI of a key in a token.")
        var rootKey: String

        @Option(help: "The authority that runs the list, as printed.")
        var authority: String

        @Option(help: "production or test.")
        var environment: TrustList.Environment

        @Option(help: "The file to write (.cose).")
        var out: String

        @Option(help: "Sequence number of this first edition.")
        var sequence: UInt64 = 1

        @Option(name: .customLong("valid-days"), help: "Days until the next update is due.")
        var validDays: Int = 30

        @Option(name: .customLong("grace-days"), help: "Days after the next update during which a stale list still works, with a warning.")
        var graceDays: Int = 14

        @Option(help: "Signing time (ISO 8601) instead of now.")
        var at: String?

        @OptionGroup var passphrase: PassphraseOptions

        func run() throws {
            let time = try TimeOption.time(at)
            let header = try ListEdition().first(at: time, sequence: sequence, validDays: validDays, graceDays: graceDays)
            let root = try passphrase.loadSigner(rootKey)
            let list = try TrustList(header: header, environment: environment, authority: authority)
            try ListEditor.write(list, to: out, creating: true, signer: root, done: nil, what: "trust list, \(environment.rawValue), no keys yet")
        }
    }

    /// `add-key`: a new issuer key or signer certificate.
    struct AddKey: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-key", abstract: "Add an issuer key or signer certificate to a trust list.")

        @Argument(help: "The trust list to update.")
        var file: String

        @Option(help: "The issuer's public key (.pub.pem), X.509 signer certificate, or CA certificate (a CSCA) whose signers it vouches for (PEM or DER).")
        var key: String

        @Option(help: "The issuing authority that holds the key, as printed on its credentials.")
        var issuer: String

        @Option(help: "Credential types it may sign, comma-separated: type ids (vn.dl), built-in profile names (driving-licence), or * for any.")
        var types: String

        @Option(name: .customLong("not-before"), help: "Start of the key's validity (ISO 8601; default the signing time, or the certificate's).")
        var notBefore: String?

        @Option(name: .customLong("not-after"), help: "End of the key's validity (ISO 8601; required for a bare key, default the certificate's).")
        var notAfter: String?

        @OptionGroup var signing: TrustListUpdate

        func run() throws {
            let anchor = try TrustLoader.anchor(key)
            let types = try ProfileLoader.types(self.types)
            try signing.update(file) { (list: inout TrustList, time: Int64) throws(QRCertError) in
                let from = try notBefore.map { (text) throws(QRCertError) in try TimeOption.time(text, option: "--not-before") }
                let until = try notAfter.map { (text) throws(QRCertError) in try TimeOption.time(text, option: "--not-after") }
                let entry: TrustListEntry
                if let certificate = anchor.certificate {
                    entry = try TrustListEntry(certificate: certificate, issuer: issuer, types: types, notBefore: from, notAfter: until)
                } else {
                    guard let until else {
                        throw QRCertError(.usage, "USAGE", "--not-after is required for a bare public key", hint: "e.g. --not-after 2030-01-01")
                    }
                    entry = try TrustListEntry(key: anchor.key, issuer: issuer, types: types, notBefore: from ?? time, notAfter: until)
                }
                try list.add(entry)
                return "added key \(Hex.encode(entry.keyID)) of \(entry.issuer) for \(entry.types.joined(separator: ", "))"
            }
        }
    }

    /// `retire-key`: stop signing with a key; what it signed stays valid until `--end`.
    struct RetireKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retire-key",
            abstract: "Retire a key: it signs nothing new; what it signed stays valid until --end, the end of the key's validity.")

        @Argument(help: "The trust list to update.")
        var file: String

        @OptionGroup var which: KeyChoice

        @Option(help: "End of the key's validity (ISO 8601): credentials it signed are accepted until then.")
        var end: String

        @Option(name: .customLong("retired-at"), help: "When it stopped signing (ISO 8601; default the signing time).")
        var retiredAt: String?

        @OptionGroup var signing: TrustListUpdate

        func run() throws {
            let keyID = try which.keyID()
            let end = try TimeOption.time(self.end, option: "--end")
            try signing.update(file) { (list: inout TrustList, time: Int64) throws(QRCertError) in
                let at = try retiredAt.map { (text) throws(QRCertError) in try TimeOption.time(text, option: "--retired-at") } ?? time
                try list.retire(keyID: keyID, at: at, end: end)
                return "retired key \(Hex.encode(keyID)) at \(Timestamp.iso(at)); what it signed is accepted until \(Timestamp.iso(end))"
            }
        }
    }

    /// `remove-key`: a compromised key; everything it signed is refused.
    struct RemoveKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-key",
            abstract: "Remove a compromised key: everything it signed is refused (KEY_COMPROMISED). The kid stays listed with the reason.")

        @Argument(help: "The trust list to update.")
        var file: String

        @OptionGroup var which: KeyChoice

        @Option(help: "Why, e.g. \"private key stolen 2025-06-03\".")
        var reason: String

        @OptionGroup var signing: TrustListUpdate

        func run() throws {
            let keyID = try which.keyID()
            try signing.update(file) { (list: inout TrustList, time: Int64) throws(QRCertError) in
                try list.remove(keyID: keyID, at: time, reason: reason)
                return "removed key \(Hex.encode(keyID)): \(reason)"
            }
        }
    }

    /// `renew`: the same keys, a higher sequence and fresh dates.
    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "renew", abstract: "Re-sign the list unchanged with a higher sequence and a new next-update time.")

        @Argument(help: "The trust list to update.")
        var file: String

        @OptionGroup var signing: TrustListUpdate

        func run() throws {
            try signing.update(file) { (_: inout TrustList, _: Int64) throws(QRCertError) in "renewed" }
        }
    }

    /// `show`: the list as text or JSON; UNVERIFIED without `--root`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a trust list: its edition, dates and keys (UNVERIFIED unless --root is given).")

        @Argument(help: "The trust list.")
        var file: String

        @Option(help: "The root public key (PEM): check the signature.")
        var root: String?

        @Flag(help: "One JSON object instead of text.")
        var json = false

        func run() throws {
            let bytes = try ListFile.read(file, .trustList)
            let list = try root.map { (path) throws(QRCertError) in
                try TrustList.open(bytes, root: try PublicKeyFile.read(path, what: "root key"), source: file)
            } ?? TrustList.openUnverified(bytes, source: file)
            let verified = root != nil
            Console.write(json ? ListRenderer.json(list, file: file, verified: verified) + "\n" : ListRenderer.text(list, file: file, verified: verified))
        }
    }
}

/// `--kid HEX` or `--key FILE`: which listed key a command acts on.
struct KeyChoice: ParsableArguments {
    @Option(help: "Key id in hex (16 digits), as shown by keygen and trust-list show.")
    var kid: String?

    @Option(name: .customLong("key"), help: "Or the key's public key or certificate file.")
    var keyFile: String?

    func keyID() throws(QRCertError) -> [UInt8] {
        switch (kid, keyFile) {
        case (let text?, nil):
            guard let bytes = Hex.decode(text), bytes.count == 8 else {
                throw QRCertError(.usage, "USAGE", "--kid \(text) is not 16 hex digits")
            }
            return bytes
        case (nil, let path?):
            // The key's own kid: it finds the entry whether the list holds the bare key or a certificate of it.
            return try TrustLoader.anchor(path).key.keyID
        default:
            throw QRCertError(.usage, "USAGE", "give exactly one of --kid and --key")
        }
    }
}

/// The root key that signs a trust list, and how the next edition is made.
struct TrustListUpdate: ParsableArguments {
    @Option(name: .customLong("root-key"), help: "The root private key that signs the list: a PEM file (mode 0600) or a pkcs11: URI of a key in a token.")
    var rootKey: String

    @OptionGroup var edition: Edition

    @OptionGroup var passphrase: PassphraseOptions

    /// Reads `file` (checking the root's signature), renews its edition, applies `change`, signs it and writes it atomically.
    func update(_ file: String, _ change: (inout TrustList, Int64) throws(QRCertError) -> String) throws(QRCertError) {
        let time = try TimeOption.time(edition.at)
        let root = try passphrase.loadSigner(rootKey)
        try ListEditor.edit(file, edition: edition, signer: root, at: time,
                            open: { (bytes) throws(QRCertError) in try TrustList.open(bytes, root: root.publicKey, source: file) },
                            change: { (list: inout TrustList) throws(QRCertError) in try change(&list, time) },
                            what: { "trust list, \($0.environment.rawValue), \($0.entries.count) key(s)" })
    }
}

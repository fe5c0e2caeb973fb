import ArgumentParser
import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat

/// `--trust-list`, `--root`, `--revocations`, `--environment`, `--state`: the signed lists `verify` consults
/// (docs/TRUST.md).
struct SignedListOptions: ParsableArguments {
    @Option(name: .customLong("trust-list"), help: "Signed trust list of issuer keys (made with qrcert trust-list); needs --root.")
    var trustList: String?

    @Option(help: "The authority's root public key (PEM) that signs the trust list and may sign revocation lists.")
    var root: String?

    @Option(help: "Signed revocation list (made with qrcert revoke), signed by the root or an issuer key; repeatable.")
    var revocations: [String] = []

    @Option(help: "Refuse a trust list made for another environment: production or test.")
    var environment: TrustList.Environment?

    @Option(help: "File remembering the newest list editions accepted here (default $XDG_STATE_HOME/qrcert/accepted-lists.json).")
    var state: String?

    func validate() throws {
        if trustList != nil && root == nil { throw ValidationError("--trust-list needs --root ROOT.pub.pem, the key that signed it") }
        if environment != nil && trustList == nil { throw ValidationError("--environment applies to a --trust-list") }
    }

    /// Whether keys come from a trust list, so that `--trust` may be left out.
    var givesKeys: Bool { trustList != nil }

    /// Reads the lists, adds the trust list's keys to `verifier.trust`, shows every warning on stderr and
    /// remembers each accepted edition. Any refusal throws: nothing is verified against a list in doubt.
    func apply(to verifier: inout Verifier, at time: Int64) throws(QRCertError) {
        guard trustList != nil || !revocations.isEmpty else { return }
        let rootKey = try root.map { (path) throws(QRCertError) in try Self.readPublicKey(path, what: "root key") }
        var memory = try AcceptedListsFile(path: state)
        if let trustList, let rootKey {
            let list = try TrustList.open(try Self.read(trustList, .trustList), root: rootKey, source: trustList)
            if let environment, list.environment != environment {
                throw QRCertError(.trust, "TL_ENVIRONMENT",
                                  "\(trustList) is a \(list.environment.rawValue) trust list, but --environment \(environment.rawValue) was asked for",
                                  hint: "use the \(environment.rawValue) list from the authority")
            }
            let slot = "trust-list:\(Hex.encode(rootKey.keyID)):\(list.environment.rawValue)"
            let warnings = try list.header.accept(.trustList, digest: list.digest, at: time, remembered: memory[slot], source: trustList)
            Self.show(warnings)
            if list.environment == .test && environment == nil {
                Console.warn("\(trustList) is a TEST trust list: its keys are for training and testing, not for real credentials")
            }
            verifier.trust.add(list, source: trustList)
            verifier.lists.trustList = list.summary(source: trustList)
            memory.remember(slot, list.header.sequence, digest: list.digest, source: trustList, at: time)
        }
        let signers = RevocationList.Signer.all(root: rootKey, trust: verifier.trust, at: time)
        for path in revocations {
            let list = try RevocationList.open(try Self.read(path, .revocations), signers: signers, source: path)
            let slot = Self.slot(list.scope, signer: list.signerKeyID)
            let warnings = try list.header.accept(.revocations, digest: list.digest, at: time, remembered: memory[slot], source: path)
            Self.show(warnings)
            verifier.lists.revocations.append((list, path))
            memory.remember(slot, list.header.sequence, digest: list.digest, source: path, at: time)
        }
        memory.save()
    }

    /// Where the newest revocation list of a signer is remembered: per issuer, so that rotating the issuer's
    /// key does not restart the count.
    static func slot(_ scope: RevocationList.Scope, signer: [UInt8]) -> String {
        switch scope {
        case .all: return "revocations:root:\(Hex.encode(signer))"
        case .issuer(let name): return "revocations:issuer:\(name)"
        case .key(let kid): return "revocations:key:\(Hex.encode(kid))"
        }
    }

    /// Warnings are loud on purpose: a list past its next update stops working after the grace period.
    static func show(_ warnings: [QRCertError]) {
        for warning in warnings {
            Console.warn("\(warning.message) [\(warning.code)]")
            if let hint = warning.hint { Console.diagnostic("qrcert: hint: \(hint)") }
        }
    }

    /// A list file, refused by its size before it is read (`TL_TOO_LARGE`, `RL_TOO_LARGE`).
    static func read(_ path: String, _ kind: ListKind) throws(QRCertError) -> [UInt8] {
        var info = stat()
        if stat(path, &info) == 0, Int64(info.st_size) > Int64(kind.maxBytes) {
            throw QRCertError(kind == .trustList ? .trust : .revocation, kind == .trustList ? "TL_TOO_LARGE" : "RL_TOO_LARGE",
                              "\(path) is \(info.st_size) bytes, more than the \(kind.maxBytes >> 20) MiB a \(kind.noun) may be")
        }
        return try Files.read(path, what: kind.noun)
    }

    /// One PEM public key (a private key file is refused: a verifier never holds the root's private key).
    static func readPublicKey(_ path: String, what: String) throws(QRCertError) -> PublicKey {
        guard let text = String(validating: try Files.read(path, what: what), as: UTF8.self) else {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(what) \(path) is not a PEM file")
        }
        if text.contains("PRIVATE KEY-----") {
            throw QRCertError(.trust, "TRUST_PRIVATE_KEY", "\(path) holds a private key; \(what) must be the public key",
                              hint: "pass the .pub.pem file written by keygen")
        }
        do throws(QRCertError) {
            return try PublicKey.pem(text)
        } catch {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(what) \(path): \(error.message)")
        }
    }
}

/// The newest edition of each list accepted on this computer, so an older one is refused (docs/TRUST.md).
///
/// A JSON object in `--state FILE` or `$XDG_STATE_HOME/qrcert/accepted-lists.json`
/// (`~/.local/state/qrcert/accepted-lists.json`), keyed by signer: `{"sequence", "sha256", "source", "accepted_at"}`.
/// Updates hold an flock on `FILE.lock` and keep the higher sequence, so parallel runs never lower it.
struct AcceptedListsFile {
    let path: String?
    private var slots: [String: Slot] = [:]
    private var changed: Set<String> = []

    struct Slot {
        var sequence: UInt64
        var sha256: String
        var source: String
        var acceptedAt: String
    }

    init(path given: String?) throws(QRCertError) {
        path = given ?? Self.defaultPath()
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        slots = try Self.read(path)
    }

    /// `$XDG_STATE_HOME/qrcert/accepted-lists.json`, else `$HOME/.local/state/qrcert/accepted-lists.json`.
    static func defaultPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/qrcert/accepted-lists.json" }
        if let home = env["HOME"], home.hasPrefix("/") { return home + "/.local/state/qrcert/accepted-lists.json" }
        return nil
    }

    subscript(slot: String) -> AcceptedList? {
        guard let entry = slots[slot], let digest = Hex.decode(entry.sha256) else { return nil }
        return AcceptedList(sequence: entry.sequence, digest: digest)
    }

    mutating func remember(_ slot: String, _ sequence: UInt64, digest: [UInt8], source: String, at time: Int64) {
        if let known = slots[slot], known.sequence >= sequence { return }
        slots[slot] = Slot(sequence: sequence, sha256: Hex.encode(digest), source: source, acceptedAt: Timestamp.iso(time))
        changed.insert(slot)
    }

    /// Writes the new editions. A failure is a warning, not a refusal: the lists were genuine, only the
    /// memory of them is lost for this run.
    func save() {
        guard !changed.isEmpty else { return }
        guard let path else {
            Console.warn("no $HOME or $XDG_STATE_HOME: accepted list editions are not remembered, so an older list would not be refused; pass --state FILE")
            return
        }
        do throws(QRCertError) {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try Files.makeDirectory(directory) }
            let lock = open(path + ".lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { throw QRCertError(.io, "IO_WRITE", "cannot create \(path).lock: \(String(cString: strerror(errno)))") }
            defer { close(lock) }
            flock(lock, LOCK_EX)
            // Another run may have accepted newer editions since this one read the file.
            var merged = FileManager.default.fileExists(atPath: path) ? try Self.read(path) : [:]
            for slot in changed {
                guard let mine = slots[slot] else { continue }
                if let theirs = merged[slot], theirs.sequence >= mine.sequence { continue }
                merged[slot] = mine
            }
            var pairs: [(String, JSONText)] = []
            for key in merged.keys.sorted() {
                guard let slot = merged[key] else { continue }
                pairs.append((key, .object([("sequence", .number(Int64(clamping: slot.sequence))), ("sha256", .string(slot.sha256)),
                                            ("source", .string(slot.source)), ("accepted_at", .string(slot.acceptedAt))])))
            }
            let object = JSONText.object(pairs)
            try Files.writeAtomically(path, bytes: Array((object.rendered + "\n").utf8), mode: 0o600)
        } catch {
            Console.warn("cannot remember the accepted list editions in \(path): \(error.message) [\(error.code)]")
        }
    }

    private static func read(_ path: String) throws(QRCertError) -> [String: Slot] {
        let bytes = try Files.read(path, what: "state file")
        func bad() -> QRCertError {
            QRCertError(.io, "STATE_BAD_FILE", "state file \(path) is not the JSON qrcert writes",
                        hint: "remove it to start again; the next lists accepted are remembered from then on")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw bad() }
        var slots: [String: Slot] = [:]
        for (key, value) in object {
            guard let entry = value as? [String: Any], let number = entry["sequence"] as? NSNumber, number.int64Value >= 1,
                  let sha256 = entry["sha256"] as? String, Hex.decode(sha256)?.count == 32 else { throw bad() }
            slots[key] = Slot(sequence: UInt64(number.int64Value), sha256: sha256, source: entry["source"] as? String ?? "",
                              acceptedAt: entry["accepted_at"] as? String ?? "")
        }
        return slots
    }
}

extension TrustList.Environment: ExpressibleByArgument {}

/// `--at TIME`, or now.
enum Clock {
    static func time(_ text: String?, option: String = "--at") throws(QRCertError) -> Int64 {
        guard let text else { return Int64(Date().timeIntervalSince1970) }
        guard let parsed = Timestamp.parse(text) else {
            throw QRCertError(.usage, "USAGE", "\(option) \(text) is not an ISO 8601 time", hint: "e.g. 2030-01-01 or 2030-01-01T08:00:00+07:00")
        }
        return parsed
    }
}

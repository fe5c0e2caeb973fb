import Foundation
import QRCert
import QRCertFormat

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

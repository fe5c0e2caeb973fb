import Foundation
import QRCert
import QRCertFormat

/// The newest edition of each list accepted on this computer, so an older one is refused (docs/TRUST.md).
///
/// A JSON object in `--state FILE` or `$XDG_STATE_HOME/qrcert/accepted-lists.json`
/// (`~/.local/state/qrcert/accepted-lists.json`), keyed by signer: `{"sequence", "sha256", "source", "accepted_at"}`.
/// Updates hold an flock on `FILE.lock` and keep the higher sequence, so parallel runs never lower it.
/// What is kept, and the rule that a slot only moves up, is `AcceptedLists` in QRCert; this is its file.
public struct AcceptedListsFile: Sendable {
    /// The file, or nil when neither `--state` nor a home folder names one.
    public let path: String?
    /// The editions read, and those accepted since.
    public var lists = AcceptedLists()

    /// Reads the file at `given` (nil: the default path); a file not there yet is an empty memory, a file that is
    /// not the JSON qrcert writes is `STATE_BAD_FILE`.
    public init(path given: String?) throws(QRCertError) {
        path = given ?? Self.defaultPath()
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        lists = try Self.read(path)
    }

    /// `$XDG_STATE_HOME/qrcert/accepted-lists.json`, else `$HOME/.local/state/qrcert/accepted-lists.json`.
    public static func defaultPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/qrcert/accepted-lists.json" }
        if let home = env["HOME"], home.hasPrefix("/") { return home + "/.local/state/qrcert/accepted-lists.json" }
        return nil
    }

    /// Writes the new editions, and returns the warning to show (English, without the `qrcert: warning: `
    /// prefix) when they could not be written. A failure is a warning, not a refusal: the lists were genuine,
    /// only the memory of them is lost for this run.
    public func save() -> String? {
        guard !lists.changed.isEmpty else { return nil }
        guard let path else {
            return "no $HOME or $XDG_STATE_HOME: accepted list editions are not remembered, so an older list would not be refused; pass --state FILE"
        }
        do throws(QRCertError) {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try Files.makeDirectory(directory) }
            let lock = open(path + ".lock", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { throw QRCertError(.io, "IO_WRITE", "cannot create \(path).lock: \(String(cString: strerror(errno)))") }
            defer { close(lock) }
            flock(lock, LOCK_EX)
            // Another run may have accepted newer editions since this one read the file.
            let merged = lists.merged(into: FileManager.default.fileExists(atPath: path) ? try Self.read(path) : AcceptedLists())
            var pairs: [(String, JSONText)] = []
            for (key, slot) in merged.records.sorted(by: { $0.key < $1.key }) {
                pairs.append((key, .object([("sequence", .number(Int64(clamping: slot.edition.sequence))), ("sha256", .string(Hex.encode(slot.edition.digest))),
                                            ("source", .string(slot.source)), ("accepted_at", .string(slot.acceptedAt))])))
            }
            let object = JSONText.object(pairs)
            try Files.writeAtomically(path, bytes: Array((object.rendered + "\n").utf8), mode: 0o600)
            return nil
        } catch {
            return "cannot remember the accepted list editions in \(path): \(error.message) [\(error.code)]"
        }
    }

    private static func read(_ path: String) throws(QRCertError) -> AcceptedLists {
        let bytes = try Files.read(path, what: "state file")
        func bad() -> QRCertError {
            QRCertError(.io, "STATE_BAD_FILE", "state file \(path) is not the JSON qrcert writes",
                        hint: "remove it to start again; the next lists accepted are remembered from then on")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw bad() }
        var records: [String: AcceptedLists.Record] = [:]
        for (key, value) in object {
            guard let entry = value as? [String: Any], let number = entry["sequence"] as? NSNumber, number.int64Value >= 1,
                  let sha256 = entry["sha256"] as? String, let digest = Hex.decode(sha256), digest.count == 32 else { throw bad() }
            records[key] = AcceptedLists.Record(edition: AcceptedList(sequence: UInt64(number.int64Value), digest: digest),
                                                source: entry["source"] as? String ?? "", acceptedAt: entry["accepted_at"] as? String ?? "")
        }
        return AcceptedLists(records: records)
    }
}

import Dispatch
import Foundation
import QRCert
import QRCertFormat
import QRCertIO

/// Reloads the verifier's inputs when a file changes (polled every `interval` seconds: its size, times and
/// inode, so that an atomic replace is seen) and on SIGHUP, through `VerifierSources.load` (the rules of
/// `verify`: signature, rollback against the state file, staleness). A load that fails keeps the snapshot in
/// use and is logged and recorded for `/v1/lists`. Each tick also watches the lists in use grow stale and
/// expire as time passes, and says so in the log once per change.
final class ListWatcher: @unchecked Sendable {
    private let sources: VerifierSources
    private let state: TrustState
    /// `--at`: the fixed time to verify at, or nil for the clock.
    private let fixedTime: Int64?
    private let queue = DispatchQueue(label: "qrcert-serve.lists")
    private var fingerprints: [String: [Int64]] = [:]
    private var timer: DispatchSourceTimer?
    private var hangup: DispatchSourceSignal?
    private var freshness: [String: ListHeader.Freshness] = [:]

    init(sources: VerifierSources, state: TrustState, fixedTime: Int64?) {
        self.sources = sources
        self.state = state
        self.fixedTime = fixedTime
        fingerprints = Self.fingerprints(of: Self.files(sources))
        for status in state.current.lists { if let summary = status.summary { freshness[status.file] = summary.header.freshness(at: now) } }
    }

    /// The time lists are judged at: `--at`, or the clock.
    private var now: Int64 { fixedTime ?? Int64(Date().timeIntervalSince1970) }

    /// Starts polling every `interval` seconds (0: SIGHUP only) and listening for SIGHUP.
    func start(interval: Int) {
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { [self] in reload(reason: "SIGHUP") }
        hangup.resume()
        self.hangup = hangup
        guard interval > 0 else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(interval), repeating: .seconds(interval))
        timer.setEventHandler { [self] in tick() }
        timer.resume()
        self.timer = timer
    }

    /// One poll: reload if a file changed; then log each list in use that has become stale or expired.
    private func tick() {
        let seen = Self.fingerprints(of: Self.files(sources))
        if seen != fingerprints {
            let changed = seen.keys.filter { seen[$0] != fingerprints[$0] }.sorted()
            fingerprints = seen
            reload(reason: "changed " + changed.joined(separator: ","))
        }
        for status in state.current.lists {
            guard let summary = status.summary else { continue }
            let fresh = summary.header.freshness(at: now)
            guard freshness[status.file] != fresh else { continue }
            freshness[status.file] = fresh
            if fresh != .current {
                LogLine(fresh == .expired ? "list-expired" : "list-stale").with("file", status.file)
                    .with("sequence", Int(clamping: summary.header.sequence))
                    .with("message", fresh == .expired
                          ? "expired at \(Timestamp.iso(summary.header.expiresAt)): verification refused until a newer edition is in place"
                          : "out of date since \(Timestamp.iso(summary.header.nextUpdate)); it stops working at \(Timestamp.iso(summary.header.expiresAt))")
                    .write()
            }
        }
    }

    /// Loads every input afresh; takes the result, or keeps the snapshot in use and records why not.
    private func reload(reason: String) {
        let setup = sources.load(now: Int64(Date().timeIntervalSince1970))
        QRCertServe.log(setup.warnings)
        switch setup.result {
        case .success(let verifier):
            let snapshot = TrustSnapshot(verifier: verifier, lists: setup.lists, loadedAt: Int64(Date().timeIntervalSince1970))
            state.replace(with: snapshot)
            for status in setup.lists { if let summary = status.summary { freshness[status.file] = summary.header.freshness(at: now) } }
            var line = LogLine("reload").with("reason", reason)
            for status in setup.lists { line = line.with(status.file, status.summary.map { "#\($0.header.sequence)" } ?? "-") }
            line.write()
        case .failure(let error):
            state.record(LoadFailure(error: error, lists: setup.lists, at: Int64(Date().timeIntervalSince1970)))
            LogLine("reload-failed").with("reason", reason).with("code", error.code).with("message", error.message)
                .with("kept", "the lists in use stay until a file loads").write()
        }
    }

    /// Every file the verifier is built from.
    private static func files(_ sources: VerifierSources) -> [String] {
        sources.trust + sources.trustCA + [sources.trustList, sources.root].compactMap { $0 } + sources.revocations + sources.profiles
    }

    /// Size, modification and change times (nanoseconds) and inode of each file, or [] when it cannot be read.
    private static func fingerprints(of files: [String]) -> [String: [Int64]] {
        var out: [String: [Int64]] = [:]
        for file in files {
            var info = stat()
            guard stat(file, &info) == 0 else { out[file] = []; continue }
            out[file] = [Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                         Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec), Int64(info.st_ino)]
        }
        return out
    }
}

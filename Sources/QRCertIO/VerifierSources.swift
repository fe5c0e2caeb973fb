import QRCert
import QRCertCrypto
import QRCertFormat

/// Where a verifier's trust comes from, as `qrcert verify` is given it: `--trust` keys and certificates,
/// `--trust-ca` authorities, `--trust-list` signed by `--root`, `--revocations`, `--environment`, the
/// accepted-lists `--state` file, `--profile` files, `--skew` and `--at` (docs/TRUST.md).
///
/// `load(now:)` reads every file afresh, so a long-running front end (a server) calls it again to take new
/// editions of the lists; the state file keeps a reload from going back to an older edition.
public struct VerifierSources: Sendable {
    /// `--trust`: public keys or signer certificates (PEM or DER), or folders of them.
    public var trust: [String]
    /// `--trust-ca`: CA certificates that signer certificates must chain to.
    public var trustCA: [String]
    /// `--trust-list`: the signed trust list of issuer keys; needs `root`.
    public var trustList: String?
    /// `--root`: the authority's root public key (PEM) that signs the trust list and may sign revocation lists.
    public var root: String?
    /// `--revocations`: signed revocation lists, in order.
    public var revocations: [String]
    /// `--environment`: refuse a trust list made for another environment.
    public var environment: TrustList.Environment?
    /// `--state`: the accepted-lists file; nil is `AcceptedListsFile.defaultPath()`.
    public var state: String?
    /// `--profile`: extra profile JSON files (a file replaces a built-in of the same type).
    public var profiles: [String]
    /// `--skew`: tolerated clock skew for iat/nbf in the future, in seconds.
    public var skew: Int64
    /// `--at`: the time to verify at (ISO 8601), or nil for now.
    public var at: String?

    /// Sources as `verify`'s options give them (each defaults to the option's default).
    public init(trust: [String] = [], trustCA: [String] = [], trustList: String? = nil, root: String? = nil,
                revocations: [String] = [], environment: TrustList.Environment? = nil, state: String? = nil,
                profiles: [String] = [], skew: Int64 = 300, at: String? = nil) {
        self.trust = trust
        self.trustCA = trustCA
        self.trustList = trustList
        self.root = root
        self.revocations = revocations
        self.environment = environment
        self.state = state
        self.profiles = profiles
        self.skew = skew
        self.at = at
    }

    /// Builds the verifier exactly as `verify` does, in its order: keys (`--trust`, then `--trust-ca`), profiles,
    /// the time (`at`, else `now`), then the trust list and each revocation list (`Verifier.useTrustList`,
    /// `useRevocations`), and saves the editions accepted in the state file. The first refusal stops it:
    /// nothing is verified against a list in doubt. Never throws; the refusal is in the result.
    public func load(now: Int64) -> VerifierSetup {
        var statuses = (trustList.map { [ListStatus(kind: .trustList, file: $0)] } ?? [])
            + revocations.map { ListStatus(kind: .revocations, file: $0) }
        var warnings: [VerifierSetup.Warning] = []
        var time = now
        do throws(QRCertError) {
            var store = trust.isEmpty && (trustList != nil || !trustCA.isEmpty) ? TrustStore() : try TrustLoader.load(trust)
            for path in trustCA { try store.add(authorityFileBytes: try Files.read(path, what: "CA file"), source: path) }
            var verifier = Verifier(trust: store, profiles: try ProfileLoader.all(adding: profiles))
            verifier.clockSkew = skew
            if let at {
                guard let parsed = Timestamp.parse(at) else {
                    throw QRCertError(.usage, "USAGE", "--at \(at) is not an ISO 8601 time", hint: "e.g. 2030-01-01 or 2030-01-01T08:00:00+07:00")
                }
                time = parsed
            }
            if trustList != nil || !revocations.isEmpty {
                try useLists(&verifier, at: time, statuses: &statuses, warnings: &warnings)
            }
            return VerifierSetup(result: .success(verifier), time: time, lists: statuses, warnings: warnings)
        } catch {
            return VerifierSetup(result: .failure(error), time: time, lists: statuses, warnings: warnings)
        }
    }

    /// The lists, in `statuses`' order (the trust list first), each status filled in as it is accepted or refused.
    private func useLists(_ verifier: inout Verifier, at time: Int64, statuses: inout [ListStatus],
                          warnings: inout [VerifierSetup.Warning]) throws(QRCertError) {
        let rootKey = try root.map { (path) throws(QRCertError) in try PublicKeyFile.read(path, what: "root key") }
        var memory = try AcceptedListsFile(path: state)
        for index in statuses.indices {
            let file = statuses[index].file
            do throws(QRCertError) {
                let found: [QRCertError]
                let summary: ListSummary?
                if statuses[index].kind == .trustList {
                    guard let rootKey else {
                        throw QRCertError(.usage, "USAGE", "--trust-list needs --root ROOT.pub.pem, the key that signed it")
                    }
                    found = try verifier.useTrustList(try ListFile.read(file, .trustList), source: file, root: rootKey,
                                                      environment: environment, at: time, memory: &memory.lists)
                    summary = verifier.lists.trustList
                } else {
                    found = try verifier.useRevocations(try ListFile.read(file, .revocations), source: file, root: rootKey,
                                                        at: time, memory: &memory.lists)
                    summary = verifier.lists.summaries.last
                }
                statuses[index].summary = summary
                statuses[index].freshness = summary?.header.freshness(at: time)
                statuses[index].warnings = found
                warnings += found.map(VerifierSetup.Warning.list)
                if let summary, summary.kind == .trustList, summary.environment == TrustList.Environment.test.rawValue, environment == nil {
                    warnings.append(.testTrustList(file: file))
                }
            } catch {
                statuses[index].error = error
                throw error
            }
        }
        if let unsaved = memory.save() { warnings.append(.stateNotSaved(unsaved)) }
    }
}

/// What `VerifierSources.load(now:)` built: the verifier (or why there is none), the time it verifies at,
/// each list's status and the warnings to show.
public struct VerifierSetup: Sendable {
    /// The verifier with every key and list taken, or the first input refused (a key file, a profile, `--at`,
    /// a list, the state file).
    public let result: Result<Verifier, QRCertError>
    /// The time to verify at: `--at`, or the `now` given.
    public let time: Int64
    /// One status per list given, the trust list first, then the revocation lists in order.
    public let lists: [ListStatus]
    /// Every warning, in the order `verify` shows them (before its refusal, if any).
    public let warnings: [Warning]

    /// The verifier, or nil when an input was refused.
    public var verifier: Verifier? { try? result.get() }

    /// The refusal, or nil when every input was accepted.
    public var refusal: QRCertError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    /// The verifier, or the refusal thrown (what `verify` does: warnings first, then the error).
    public func accepted() throws(QRCertError) -> Verifier { try result.get() }

    /// A warning a person must see; the verifier works regardless.
    public enum Warning: Sendable, Equatable {
        /// A list past its next update (`LIST_STALE`) or issued ahead of the clock: it stops working after the grace period.
        case list(QRCertError)
        /// The trust list is of the test environment and `--environment` was not given.
        case testTrustList(file: String)
        /// The accepted editions could not be written to the state file (English text, no prefix).
        case stateNotSaved(String)

        /// The lines `qrcert verify` writes on stderr for this warning (before terminal escaping), in
        /// `language`: in Vietnamese a list warning is the reason's sentence and the code (the messages and
        /// hints are English).
        public func lines(language: Language) -> [String] {
            switch self {
            case .list(let warning):
                if language == .vi { return ["qrcert: cảnh báo: \(ReasonText.sentence(warning, language: .vi)) [\(warning.code)]"] }
                return ["qrcert: warning: \(warning.message) [\(warning.code)]"] + (warning.hint.map { ["qrcert: hint: \($0)"] } ?? [])
            case .testTrustList(let file):
                return ["qrcert: warning: " + (language == .vi
                    ? "\(file) là danh sách tin cậy THỬ NGHIỆM: các khóa trong đó chỉ để đào tạo và thử nghiệm, không dùng cho giấy tờ thật"
                    : "\(file) is a TEST trust list: its keys are for training and testing, not for real credentials")]
            case .stateNotSaved(let text):
                return ["qrcert: warning: \(text)"]
            }
        }
    }
}

/// One signed list given to a verifier, after a load: its file, and the edition accepted or why it was refused.
public struct ListStatus: Sendable {
    /// Trust list or revocation list.
    public let kind: ListKind
    /// The file as given.
    public let file: String
    /// The edition accepted (sequence, issued and next-update dates, signer, count, SHA-256); nil when the
    /// list was refused, or not read because an input before it was refused.
    public internal(set) var summary: ListSummary?
    /// Its freshness at the load's time (current, stale within the grace period); nil when not accepted.
    public internal(set) var freshness: ListHeader.Freshness?
    /// The warnings it gave when accepted (stale, issued ahead of the clock).
    public internal(set) var warnings: [QRCertError] = []
    /// Why it was refused (bad signature, rollback, reused sequence, expired, another environment, unreadable).
    public internal(set) var error: QRCertError?

    init(kind: ListKind, file: String) {
        self.kind = kind
        self.file = file
    }
}

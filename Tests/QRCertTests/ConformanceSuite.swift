import Foundation
import QRCert
import QRCertFormat
import QRCertImage

/// Where the conformance data lives: `../shared` beside the package root (CI lays it out the same
/// way) and `Fixtures/` inside it.
enum ConformancePaths {
    /// The package root.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // QRCertTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    /// The EU DCC test data, read in place.
    static let suite = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/dgc-testdata")
    /// The one list of known deviations.
    static let deviations = packageRoot.appendingPathComponent("Fixtures/conformance-deviations.json")
    /// qrcert's own staged vectors.
    static let vectors = packageRoot.appendingPathComponent("Fixtures/vectors")

    /// Every `.json` file under `directory`, recursively, as paths relative to it, sorted.
    static func jsonFiles(under directory: URL) -> [String] {
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".json") { found.append(relative) }
        }
        return found.sorted()
    }
}

/// The expected-result flags qrcert checks, in pipeline order (docs/CONFORMANCE.md maps each to stages).
enum ConformanceFlag: String, CaseIterable {
    case pictureDecode = "EXPECTEDPICTUREDECODE"
    case unprefix = "EXPECTEDUNPREFIX"
    case base45 = "EXPECTEDB45DECODE"
    case compression = "EXPECTEDCOMPRESSION"
    case verify = "EXPECTEDVERIFY"
    case decode = "EXPECTEDDECODE"
    /// qrcert's own flag (its vectors only): the content policy of `QC1:` payloads, docs/FORMAT.md §5 step 9.
    case content = "EXPECTEDCONTENT"
    case expirationCheck = "EXPECTEDEXPIRATIONCHECK"
}

/// What qrcert did at the stage a flag names.
enum StageResult: Equatable {
    /// The stage succeeded (and its output equals the file's field for that stage, when present).
    case passed
    /// The stage itself failed, with this code.
    case failed(String)
    /// Neither: an earlier stage failed, a later one was never reached, or the output differs from the file.
    case other(String)
    /// The file lacks the input the stage needs.
    case untestable(String)

    /// Whether this is what the suite expects: `true` must pass the stage, `false` must fail at it.
    func agrees(with expected: Bool) -> Bool {
        switch self {
        case .passed: expected
        case .failed: !expected
        case .other, .untestable: false
        }
    }
}

/// `Fixtures/conformance-deviations.json`.
struct KnownDeviations: Decodable {
    /// One file and flag where qrcert's answer differs from the suite's, or cannot be checked.
    struct Entry: Decodable, Hashable {
        /// Path under dgc-testdata.
        var file: String
        /// The `EXPECTEDRESULTS` key.
        var flag: String
        /// `deviates` (qrcert answers otherwise) or `untestable` (the file lacks the stage's input).
        var kind: String
        /// Why, in one or two sentences that must hold up.
        var reason: String
        /// For a boundary deviation: moved by this many seconds, the clock makes the flag agree,
        /// which the test checks, so the reason is shown to be the boundary and nothing else.
        var agreesWithClockShift: Int64?
    }

    /// Expected-result keys qrcert does not check at all, with the reason.
    var outOfScope: [String: String]
    /// Per-file deviations.
    var deviations: [Entry]

    static func load() throws -> KnownDeviations {
        try JSONDecoder().decode(KnownDeviations.self, from: Data(contentsOf: ConformancePaths.deviations))
    }
}

/// What one run of a case gave: the answer per flag, and the verdict itself.
struct ConformanceRun {
    /// The answer for each flag the file sets.
    var results: [ConformanceFlag: StageResult]
    /// The verdict `Verifier.verify` returned.
    var verdict: Verdict
}

/// One test file (EU DCC suite or qrcert vector) run through the CLI's own code paths.
struct ConformanceCase {
    /// Path under its directory, for messages.
    let file: String
    /// The whole document.
    let document: ConformanceJSON
    /// `EXPECTEDRESULTS`.
    let expected: [String: Bool]
    /// `TESTCTX.VALIDATIONCLOCK` as read by `Timestamp.parse` (the parser behind `verify --at`).
    let clock: Int64?

    /// The prefix EXPECTEDUNPREFIX requires: `HC1:` for the suite; nil accepts any prefix qrcert knows.
    let requiredPrefix: Payload.Prefix?

    /// Reads `file` under `directory`.
    init(file: String, in directory: URL = ConformancePaths.suite, requiredPrefix: Payload.Prefix? = .dcc) throws {
        self.file = file
        self.requiredPrefix = requiredPrefix
        document = try ConformanceJSON.parse(Data(contentsOf: directory.appendingPathComponent(file)))
        var expected: [String: Bool] = [:]
        for (key, value) in document["EXPECTEDRESULTS"]?.object ?? [:] {
            if let flag = value.bool { expected[key] = flag }
        }
        self.expected = expected
        clock = document["TESTCTX"]?["VALIDATIONCLOCK"]?.string.flatMap(Timestamp.parse)
    }

    /// The hex field `name` as bytes, when present and valid hex.
    func hexField(_ name: String) -> [UInt8]? {
        document[name]?.string.flatMap(Hex.decode)
    }

    /// Runs every stage and answers for each in-scope flag the file sets; `clockShift` moves the
    /// validation clock (only to check a listed boundary deviation).
    func run(clockShift: Int64 = 0) throws -> ConformanceRun {
        let text = document["PREFIX"]?.string ?? ""

        // The codec stages, exactly as `verify` and `inspect` decode (Payload.decode).
        var partial = Payload.Partial()
        var decodeError: QRCertError?
        var payload: Payload?
        do throws(QRCertError) {
            payload = try Payload.decode(text, limits: .standard, partial: &partial)
        } catch {
            decodeError = error
        }

        // The trust anchor as `verify --trust signer.der` (or `issuer.pub.pem`) loads it.
        var store = TrustStore()
        var trustError: QRCertError?
        let anchor: [UInt8]?
        if let base64 = document["TESTCTX"]?["CERTIFICATE"]?.string {
            anchor = Data(base64Encoded: base64).map { Array($0) }
        } else {
            anchor = document["TESTCTX"]?["PUBLICKEY"]?.string.map { Array($0.utf8) }
        }
        if let anchor {
            do throws(QRCertError) {
                try store.add(fileBytes: anchor, source: "\(file) TESTCTX")
            } catch {
                trustError = error
            }
        } else {
            trustError = QRCertError(.trust, "TEST_NO_ANCHOR", "TESTCTX has no CERTIFICATE (base64 DER) or PUBLICKEY (PEM)")
        }
        let verifier = Verifier(trust: store, profiles: try BuiltinProfiles.all())
        let verdict = verifier.verify(text, at: (clock ?? 0) + clockShift)

        var results: [ConformanceFlag: StageResult] = [:]
        for flag in ConformanceFlag.allCases where expected[flag.rawValue] != nil {
            switch flag {
            case .pictureDecode:
                results[flag] = pictureDecode(text)
            case .unprefix:
                if let decodeError, decodeError.stage == .prefix {
                    results[flag] = .failed(decodeError.code)
                } else {
                    let found = partial.prefix.map { requiredPrefix == nil || $0 == requiredPrefix } ?? false
                    results[flag] = found ? .passed : .other("prefix \(partial.prefix?.rawValue ?? "none") is not \(requiredPrefix?.rawValue ?? "known")")
                }
            case .base45:
                results[flag] = codecStage(.base45, decodeError, output: partial.compressed,
                                           fields: [("COMPRESSED", hexField("COMPRESSED"))],
                                           source: document["BASE45"]?.string)
            case .compression:
                results[flag] = codecStage(.zlib, decodeError, output: partial.coseBytes,
                                           fields: [("COSE", hexField("COSE"))], source: nil)
            case .verify:
                if let trustError {
                    results[flag] = .other("trust anchor not loaded: \(trustError)")
                } else if verdict.signatureVerified {
                    results[flag] = .passed
                } else if let reason = verdict.reason, [.cbor, .cose, .key, .signature].contains(reason.stage) {
                    results[flag] = .failed(reason.code)
                } else {
                    results[flag] = .other("failed before the COSE stage: \(verdict.reason.map(\.description) ?? "no reason")")
                }
            case .decode:
                results[flag] = decodeStage(verdict, payload: payload)
            case .content:
                guard verdict.claims != nil else {
                    results[flag] = .other("content not reached: \(verdict.reason.map(\.description) ?? "no reason")")
                    break
                }
                let codes = verdict.failures.filter { $0.stage == .content }.map(\.code)
                results[flag] = codes.isEmpty ? .passed : .failed(codes.joined(separator: ","))
            case .expirationCheck:
                guard verdict.claims != nil else {
                    results[flag] = .other("validity not reached: \(verdict.reason.map(\.description) ?? "no reason")")
                    break
                }
                let codes = verdict.failures.filter { $0.stage == .validity }.map(\.code)
                results[flag] = codes.isEmpty ? .passed : .failed(codes.joined(separator: ","))
            }
        }
        return ConformanceRun(results: results, verdict: verdict)
    }

    /// `2DCODE` (`_2DCODE` in a few files): the PNG read by zbar as `qrcert verify --image` reads it.
    private func pictureDecode(_ text: String) -> StageResult {
        guard let base64 = (document["2DCODE"] ?? document["_2DCODE"])?.string else {
            return .untestable("no 2DCODE image")
        }
        guard let png = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
            return .other("2DCODE is not base64")
        }
        let symbols: [DecodedSymbol]
        do throws(QRCertError) {
            symbols = try QRDecoder.decode(imageBytes: Array(png))
        } catch {
            return .failed(error.code)
        }
        guard let first = symbols.first else { return .failed("no QR code found") }
        return first.text == text ? .passed : .other("the QR code reads \"\(first.text.prefix(24))...\", not PREFIX")
    }

    /// A codec stage: failed there, passed with the file's own fields matching, or not reached.
    private func codecStage(
        _ stage: QRCertError.Stage, _ error: QRCertError?, output: [UInt8]?,
        fields: [(String, [UInt8]?)], source: String?
    ) -> StageResult {
        if let error, error.stage == stage { return .failed(error.code) }
        guard let output else {
            return .other("\(stage) not reached: \(error.map(\.description) ?? "no error")")
        }
        for (name, value) in fields {
            if let value, value != output { return .other("\(stage) output differs from the file's \(name)") }
        }
        // The file's own Base45 field decodes to the same bytes as the PREFIX does.
        if let source {
            do throws(QRCertError) {
                guard try Base45.decode(source) == output else { return .other("the BASE45 field decodes to other bytes") }
            } catch {
                return .other("the BASE45 field does not decode: \(error)")
            }
        }
        return .passed
    }

    /// `item` with every map's pairs sorted by the encoding of their keys, so maps compare as sets.
    static func unordered(_ item: CBOR) -> CBOR {
        switch item {
        case .array(let items): return .array(items.map(unordered))
        case .tagged(let tag, let inner): return .tagged(tag, unordered(inner))
        case .map(let pairs):
            return .map(pairs.map { CBORPair(unordered($0.key), unordered($0.value)) }
                .sorted { CBOREncoder.encode($0.key).lexicographicallyPrecedes(CBOREncoder.encode($1.key)) })
        default: return item
        }
    }

    /// DECODE: the signed claims decode (strict CBOR, registered claim types) and equal the file's
    /// `CBOR` (the whole claims map, or the health certificate inside `hcert`) and `JSON`.
    private func decodeStage(_ verdict: Verdict, payload: Payload?) -> StageResult {
        guard let claims = verdict.claims, let payload else {
            if verdict.signatureVerified, let reason = verdict.reason, [.cbor, .content].contains(reason.stage) {
                return .failed(reason.code)
            }
            return .other("claims not reached: \(verdict.reason.map(\.description) ?? "no reason")")
        }
        let content = claims[CWTClaims.Key.hcert]?[1]
        if let cbor = hexField("CBOR"), cbor != payload.cose.payload {
            let item: CBOR
            do throws(QRCertError) {
                item = try CBORDecoder.decode(cbor, options: .lenient)
            } catch {
                return .other("the CBOR field is not CBOR: \(error)")
            }
            // Generators re-encode (indefinite lengths, another key order): compare the items, not the bytes.
            guard let content, Self.unordered(item) == Self.unordered(content) else {
                return .other("the CBOR field is neither the claims nor the hcert content")
            }
        }
        if let json = document["JSON"] {
            guard let content, let actual = ConformanceJSON(cbor: content) else {
                return .other("no hcert content (-260 / 1) expressible as JSON")
            }
            if let difference = actual.firstDifference(from: json) { return .other("content differs from JSON: \(difference)") }
        }
        return .passed
    }
}

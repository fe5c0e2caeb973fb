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

    /// Reads the lists and gives them to `verifier` (`Verifier.useTrustList`, `useRevocations`), shows every
    /// warning on stderr and saves the editions accepted. Any refusal throws: nothing is verified against a
    /// list in doubt. Warnings are said in `language` (the reader's, for `verify`).
    func apply(to verifier: inout Verifier, at time: Int64, language: Language = .en) throws(QRCertError) {
        guard trustList != nil || !revocations.isEmpty else { return }
        let rootKey = try root.map { (path) throws(QRCertError) in try Self.readPublicKey(path, what: "root key") }
        var memory = try AcceptedListsFile(path: state)
        if let trustList, let rootKey {
            let warnings = try verifier.useTrustList(try Self.read(trustList, .trustList), source: trustList, root: rootKey, environment: environment,
                                                     at: time, memory: &memory.lists)
            Self.show(warnings, language: language)
            if verifier.lists.trustList?.environment == TrustList.Environment.test.rawValue && environment == nil {
                Console.warn(language == .vi
                    ? "\(trustList) là danh sách tin cậy THỬ NGHIỆM: các khóa trong đó chỉ để đào tạo và thử nghiệm, không dùng cho giấy tờ thật"
                    : "\(trustList) is a TEST trust list: its keys are for training and testing, not for real credentials")
            }
        }
        for path in revocations {
            Self.show(try verifier.useRevocations(try Self.read(path, .revocations), source: path, root: rootKey, at: time, memory: &memory.lists),
                      language: language)
        }
        memory.save()
    }

    /// Warnings are loud on purpose: a list past its next update stops working after the grace period.
    /// In Vietnamese, the reason's sentence and the code (the messages and hints are English).
    static func show(_ warnings: [QRCertError], language: Language = .en) {
        for warning in warnings {
            if language == .vi {
                Console.diagnostic("qrcert: cảnh báo: \(ReasonText.sentence(warning, language: .vi)) [\(warning.code)]")
                continue
            }
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

extension TrustList.Environment: ExpressibleByArgument {}

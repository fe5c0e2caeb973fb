import ArgumentParser
import QRCert

/// `--trust-list`, `--root`, `--revocations`, `--environment`, `--state`: the signed lists `qrcert verify` and
/// `qrcert-serve` consult (docs/TRUST.md), declared once for both front ends.
public struct SignedListOptions: ParsableArguments {
    @Option(name: .customLong("trust-list"), help: "Signed trust list of issuer keys (made with qrcert trust-list); needs --root.")
    public var trustList: String?

    @Option(help: "The authority's root public key (PEM) that signs the trust list and may sign revocation lists.")
    public var root: String?

    @Option(help: "Signed revocation list (made with qrcert revoke), signed by the root or an issuer key; repeatable.")
    public var revocations: [String] = []

    @Option(help: "Refuse a trust list made for another environment: production or test.")
    public var environment: TrustList.Environment?

    @Option(help: "File remembering the newest list editions accepted here (default $XDG_STATE_HOME/qrcert/accepted-lists.json).")
    public var state: String?

    public init() {}

    public func validate() throws {
        if trustList != nil && root == nil { throw ValidationError("--trust-list needs --root ROOT.pub.pem, the key that signed it") }
        if environment != nil && trustList == nil { throw ValidationError("--environment applies to a --trust-list") }
    }

    /// Whether keys come from a trust list, so that `--trust` may be left out.
    public var givesKeys: Bool { trustList != nil }
}

extension TrustList.Environment: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}

import ArgumentParser
import QRCert

/// The trust options of `qrcert verify`, with its names, defaults and meaning (docs/TRUST.md).
struct TrustOptions: ParsableArguments {
    @Option(help: "Trusted public key or signer certificate (PEM or DER), or a folder of them; repeatable.")
    var trust: [String] = []

    @Option(name: .customLong("trust-ca"), help: ArgumentHelp("CA certificate (a CSCA) that signer certificates must chain to; repeatable.", valueName: "file"))
    var trustCA: [String] = []

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

    @Option(help: "Verify at this time (ISO 8601) instead of the clock at each request: for tests and demonstrations.")
    var at: String?

    @Option(help: "Tolerated clock skew for iat/nbf in the future, in seconds.")
    var skew: Int64 = 300

    @Option(help: "Extra profile JSON file for credential types not built in; repeatable.")
    var profile: [String] = []

    @Option(help: "Language of the reason texts when a request does not ask (?lang=): vi or en (default from LANG).")
    var lang: Language?

    func validate() throws {
        if trustList != nil && root == nil { throw ValidationError("--trust-list needs --root ROOT.pub.pem, the key that signed it") }
        if environment != nil && trustList == nil { throw ValidationError("--environment applies to a --trust-list") }
        guard (0...604_800).contains(skew) else { throw ValidationError("--skew must be 0 to 604800 seconds (a week)") }
    }
}

extension TrustList.Environment: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}

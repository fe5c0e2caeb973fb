import ArgumentParser
import QRCert
import QRCertOptions

/// The trust options of `qrcert verify`, with its names, defaults and meaning (docs/TRUST.md).
struct TrustOptions: ParsableArguments {
    @Option(help: "Trusted public key or signer certificate (PEM or DER), or a folder of them; repeatable.")
    var trust: [String] = []

    @Option(name: .customLong("trust-ca"), help: ArgumentHelp("CA certificate (a CSCA) that signer certificates must chain to; repeatable.", valueName: "file"))
    var trustCA: [String] = []

    @OptionGroup var lists: SignedListOptions

    @Option(help: "Verify at this time (ISO 8601) instead of the clock at each request: for tests and demonstrations.")
    var at: String?

    @Option(help: "Tolerated clock skew for iat/nbf in the future, in seconds.")
    var skew: Int64 = 300

    @Option(help: "Extra profile JSON file for credential types not built in; repeatable.")
    var profile: [String] = []

    @Option(help: "Language of the reason texts when a request does not ask (?lang=): vi or en (default from LANG).")
    var lang: Language?

    func validate() throws {
        guard (0...604_800).contains(skew) else { throw ValidationError("--skew must be 0 to 604800 seconds (a week)") }
    }
}

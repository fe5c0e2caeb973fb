import ArgumentParser
import Foundation
import QRCertFormat

/// `qrcert serve`: the verification service, a separate binary (`qrcert-serve`, beside this one) so that the
/// CLI links no HTTP stack and starts as fast as before. Every argument, `--help` included, goes to it.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the verifier over HTTP: an API and a page with a camera (runs qrcert-serve).",
        discussion: """
        Runs the qrcert-serve installed beside qrcert with the same arguments: `qrcert serve --help` lists its options. It takes the trust options of verify (--trust, --trust-list, --root, --revocations, --environment, --state, --lang), --listen HOST:PORT (default 127.0.0.1:8080), --tls-cert and --tls-key, and limits. docs/SERVE.md describes the API.

        Examples:
          qrcert serve --trust keys/danang-csgt.pub.pem
          qrcert serve --listen 0.0.0.0:8443 \\
              --tls-cert tls/cert.pem --tls-key tls/key.pem \\
              --trust-list trust-list.cose --root root.pub.pem
        """
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments for qrcert-serve.")
    var arguments: [String] = []

    func run() throws { try Self.exec(arguments) }

    /// Replaces this process with `qrcert-serve ARGUMENTS`; returns only by throwing `SERVE_MISSING`
    /// (no qrcert-serve beside this binary) or `SERVE_EXEC` (it could not be started).
    static func exec(_ arguments: [String]) throws(QRCertError) -> Never {
        let folder = (Self.executablePath as NSString).deletingLastPathComponent
        let server = folder + "/qrcert-serve"
        guard access(server, X_OK) == 0 else {
            throw QRCertError(.io, "SERVE_MISSING", "no qrcert-serve beside \(Self.executablePath): the service is not installed with this qrcert",
                              hint: "install the qrcert package, or build it with swift build --product qrcert-serve")
        }
        let argv = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        let reason = String(cString: strerror(errno))
        throw QRCertError(.io, "SERVE_EXEC", "cannot start \(server): \(reason)")
    }

    /// This binary's path, links resolved (`/proc/self/exe`), so that `qrcert-serve` is looked for beside the
    /// real file and not beside a link on PATH.
    private static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }
}

import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import QRCert
import QRCertFormat
import QRCertIO

/// `qrcert-serve` (also `qrcert serve`): the verifier as an HTTP service for the one-stop desk and the
/// inspector's browser (docs/SERVE.md).
@main
struct QRCertServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qrcert-serve",
        abstract: "Serve the verifier over HTTP: an API for other systems and a page with a camera for people.",
        discussion: """
        Answers POST /v1/verify (one payload as text/plain, or many as application/jsonl: one JSON string per line) with the objects of `qrcert verify --json`, in order; POST /v1/verify-image (image/png or image/jpeg) with one object per QR code; GET /v1/lists with the trust and revocation lists in use; GET /healthz; and the page at /. docs/openapi.yaml describes the API.

        Binds to loopback unless --listen names another address; --tls-cert and --tls-key serve HTTPS (a phone's camera needs a secure context off localhost). List files are reloaded when they change and on SIGHUP, with the rules of verify (signature, rollback, staleness); a list that fails to load keeps the one in use, and /v1/lists and the log say so. Once bound, prints `qrcert-serve: listening on http://HOST:PORT` on stderr.

        Examples:
          qrcert serve --trust keys/danang-csgt.pub.pem
          qrcert serve --listen 0.0.0.0:8443 \\
              --tls-cert tls/cert.pem --tls-key tls/key.pem \\
              --trust-list trust-list.cose --root root.pub.pem
          curl -s -H 'Content-Type: text/plain' --data-binary 'QC1:...' \\
              http://127.0.0.1:8080/v1/verify
        """,
        version: "0.1.0"
    )

    @OptionGroup(title: "Trust, as for qrcert verify (docs/TRUST.md)") var trust: TrustOptions

    @Option(help: ArgumentHelp("Address and port to listen on; port 0 takes any free port. Another host than loopback opens the service to the network.",
                               valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM, the server's certificate first).", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The private key of --tls-cert (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body in bytes (a payload, a batch or an image).", valueName: "bytes"))
    var maxBody: Int = 8 << 20

    @Option(name: .customLong("max-payloads"), help: ArgumentHelp("Most payloads in one application/jsonl request.", valueName: "n"))
    var maxPayloads: Int = 1000

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds a request may take to arrive in full, from its first line to its last byte.", valueName: "seconds"))
    var requestTimeout: Int = 10

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds an idle connection stays open.", valueName: "seconds"))
    var idleTimeout: Int = 30

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Connections served at once; more wait to be accepted.", valueName: "n"))
    var maxConnections: Int = 256

    @Option(help: "Threads verifying (default: every core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("reload-interval"), help: ArgumentHelp("Seconds between checks of the list and key files for changes (0: reload on SIGHUP only).", valueName: "seconds"))
    var reloadInterval: Int = 2

    @Option(name: .customLong("log"), help: "What goes to the log on stderr: requests (a line per request, and the rest) or events (start, lists, errors).")
    var log: LogLevel = .requests

    func validate() throws {
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen \(listen) is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080)") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (1...(1 << 30)).contains(maxBody) else { throw ValidationError("--max-body must be 1 to 1073741824 bytes") }
        guard (1...100_000).contains(maxPayloads) else { throw ValidationError("--max-payloads must be 1 to 100000") }
        guard (1...3600).contains(requestTimeout) else { throw ValidationError("--request-timeout must be 1 to 3600 seconds") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1 to 3600 seconds") }
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1 to 100000") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1 to 256") }
        guard (0...86_400).contains(reloadInterval) else { throw ValidationError("--reload-interval must be 0 to 86400 seconds") }
    }

    /// Runs with qrcert's exit codes: usage errors and errors before the server is up exit 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var serve = command as? QRCertServe {
                try await serve.run()
            } else {
                try command.run()
            }
        } catch let error as QRCertError {
            LogLine.raw("qrcert-serve: error: \(DisplayText.escaped(error.description))")
            if let hint = error.hint { LogLine.raw("qrcert-serve: hint: \(DisplayText.escaped(hint))") }
            Foundation.exit(2)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            var text = message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
            let lines = text.split(separator: "\n")
            LogLine.raw("qrcert-serve: error: \(DisplayText.escaped(lines.first.map(String.init) ?? "bad arguments")) [USAGE]")
            for line in lines.dropFirst() { LogLine.raw("qrcert-serve: hint: \(DisplayText.escaped(line.trimmingCharacters(in: .whitespaces)))") }
            Foundation.exit(2)
        }
    }

    func run() async throws {
        let address = ListenAddress(listen)!
        let limits = Limits(maxBody: maxBody, maxPayloads: maxPayloads, requestTimeout: requestTimeout,
                            idleTimeout: idleTimeout, maxConnections: maxConnections)
        let tls = try tlsConfiguration()
        LogLevel.current = log
        let language = trust.lang ?? Language.fromEnvironment()

        // The verifier, built as verify builds it; a refusal stops the server before it listens.
        let sources = VerifierSources(trust: trust.trust, trustCA: trust.trustCA, trustList: trust.lists.trustList, root: trust.lists.root,
                                      revocations: trust.lists.revocations, environment: trust.lists.environment, state: trust.lists.state,
                                      profiles: trust.profile, skew: trust.skew, at: trust.at)
        let setup = sources.load(now: Int64(Date().timeIntervalSince1970))
        Self.log(setup.warnings)
        let verifier = try setup.accepted()
        let fixedTime = trust.at == nil ? nil : setup.time
        let state = TrustState(TrustSnapshot(verifier: verifier, lists: setup.lists, loadedAt: Int64(Date().timeIntervalSince1970)))
        let watcher = ListWatcher(sources: sources, state: state, fixedTime: fixedTime)
        watcher.start(interval: reloadInterval)
        let pool = VerifyPool(threads: jobs)

        var endpoints: [String: Endpoint] = ["/healthz": .fixed("text/plain; charset=utf-8", Array("ok\n".utf8))]
        for (path, file) in Page.files { endpoints[path] = .fixed(file.type, file.bytes) }
        let api = VerifyEndpoints(state: state, pool: pool, limits: limits, language: language, fixedTime: fixedTime)
        endpoints.merge(api.table) { $1 }

        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestTimeout(timeout: .seconds(Int64(limits.requestTimeout)))],
            idleTimeout: .seconds(Int64(limits.idleTimeout)))
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(configuration: http), tlsConfiguration: $0) } ?? .http1(configuration: http)
        var logger = Logger(label: "qrcert-serve")
        logger.logLevel = .critical  // the framework's own lines would bypass the escaping; ours say what it would
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            responder: ServeResponder(endpoints: endpoints),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil,
                                                    availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                var bound = address
                bound.port = port
                LogLine.raw("qrcert-serve: listening on \(scheme)://\(bound)")
                if !address.isLoopback {
                    LogLine("warning").with("message", "listening beyond this computer on \(address.host): anyone who can reach it can verify"
                                                + (tls == nil ? "; without --tls-cert a browser's camera works on localhost only" : "")).write()
                }
            },
            logger: logger
        )
        try await app.runService()
        try await pool.shutdown()
        withExtendedLifetime(watcher) {}
    }

    /// The load's warnings (a stale list, a test trust list, an unsaved state file), one log line each.
    static func log(_ warnings: [VerifierSetup.Warning]) {
        for warning in warnings {
            for line in warning.lines(language: .en) {
                let text = line.hasPrefix("qrcert: ") ? String(line.dropFirst("qrcert: ".count)) : line
                LogLine(text.hasPrefix("hint: ") ? "hint" : "warning")
                    .with("message", text.hasPrefix("hint: ") ? String(text.dropFirst(6)) : text.hasPrefix("warning: ") ? String(text.dropFirst(9)) : text)
                    .write()
            }
        }
    }

    /// The TLS configuration of --tls-cert and --tls-key (TLS 1.2 at least), or nil for plain HTTP.
    private func tlsConfiguration() throws(QRCertError) -> TLSConfiguration? {
        guard let tlsCert, let tlsKey else { return nil }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tlsCert)
        } catch {
            throw QRCertError(.io, "SRV_TLS_CERT", "--tls-cert \(tlsCert) is not a readable PEM certificate chain: \(error)")
        }
        guard !chain.isEmpty else { throw QRCertError(.io, "SRV_TLS_CERT", "--tls-cert \(tlsCert) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
        } catch {
            throw QRCertError(.io, "SRV_TLS_KEY", "--tls-key \(tlsKey) is not a readable, unencrypted PEM private key: \(error)")
        }
        var info = stat()
        if stat(tlsKey, &info) == 0, info.st_mode & 0o077 != 0 {
            LogLine("warning").with("message", "--tls-key \(tlsKey) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it").write()
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// `--log`: a line per request, or only the events.
enum LogLevel: String, ExpressibleByArgument, Sendable {
    case requests, events

    /// The level this process logs at, set once at start-up before any request.
    nonisolated(unsafe) static var current: LogLevel = .requests
}

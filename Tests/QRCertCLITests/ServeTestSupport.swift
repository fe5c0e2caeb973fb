import Foundation
import XCTest

/// A `qrcert-serve` process on loopback, started on port 0 (the port read from its `listening on` line),
/// stopped with SIGTERM; and a small HTTP/1.1 client over a plain socket, so that a test controls every
/// byte it sends (a lying Content-Length, a body that never ends) and sees every byte of the answer.
final class ServeProcess {
    let process = Process()
    /// The port it listens on.
    private(set) var port: Int = 0
    /// `http` or `https`.
    private(set) var scheme = "http"
    private let errURL: URL
    private let errHandle: FileHandle

    /// The `qrcert-serve` built beside `qrcert`.
    static var binary: URL? { CLI.binary?.deletingLastPathComponent().appendingPathComponent("qrcert-serve") }

    /// Starts `qrcert-serve --listen 127.0.0.1:0 ARGUMENTS` in `directory` and waits for its listening line.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
         program: URL? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try XCTUnwrap(program ?? Self.binary, "qrcert-serve not built", file: file, line: line)
        errURL = directory.appendingPathComponent("serve-\(UUID().uuidString).stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        errHandle = try FileHandle(forWritingTo: errURL)
        process.executableURL = binary
        process.arguments = (program == nil ? [] : ["serve"]) + ["--listen", "127.0.0.1:0"] + arguments
        process.currentDirectoryURL = directory
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1",
                   "HOME": directory.path, "XDG_STATE_HOME": directory.path + "/state"]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = errHandle
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        // The listening line, or the process's end: 60 s covers a loaded machine's start-up.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let found = stderr.range(of: #"qrcert-serve: listening on (https?)://127\.0\.0\.1:([0-9]+)\n"#, options: .regularExpression) {
                let text = String(stderr[found])
                scheme = text.contains("https://") ? "https" : "http"
                port = Int(text.split(separator: ":").last!.trimmingCharacters(in: .whitespacesAndNewlines))!
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        XCTFail("qrcert-serve did not start: \(stderr)", file: file, line: line)
        throw CocoaError(.executableLoad)
    }

    /// Everything written on stderr so far.
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// stderr's lines.
    var logLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? errHandle.close()
        return process.terminationStatus
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    deinit { stop() }

    /// One request on a new connection: the answer's status, header fields (names lower-cased) and body.
    func request(_ method: String, _ path: String, type: String? = nil, body: [UInt8] = [], extraHeaders: [String] = [],
                 file: StaticString = #filePath, line: UInt = #line) throws -> HTTPAnswer {
        let connection = try HTTPConnection(port: port)
        defer { connection.close() }
        return try connection.send(method, path, type: type, body: body, extraHeaders: extraHeaders)
    }

    func post(_ path: String, type: String, _ body: String) throws -> HTTPAnswer {
        try request("POST", path, type: type, body: Array(body.utf8))
    }
}

/// An HTTP answer as read off the socket.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body's lines (no trailing empty line).
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    /// The JSON error's code, when the body is one.
    var errorCode: String? {
        ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String }
    }
}

/// One TCP connection to 127.0.0.1:port, reused for keep-alive requests.
final class HTTPConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { Glibc.close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    func close() { Glibc.close(fd) }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Sends a request with Content-Length and reads its answer.
    func send(_ method: String, _ path: String, type: String? = nil, body: [UInt8] = [], extraHeaders: [String] = []) throws -> HTTPAnswer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let type { head += "Content-Type: \(type)\r\n" }
        if method == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        for header in extraHeaders { head += header + "\r\n" }
        write(Array((head + "\r\n").utf8) + body)
        return try read()
    }

    /// Reads one answer (Content-Length bodies only, as the server sends).
    func read() throws -> HTTPAnswer {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() throws {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            buffer += chunk[0..<n]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            try fill()
            if buffer.count >= 4 { end = (0...(buffer.count - 4)).first { Array(buffer[$0..<($0 + 4)]) == separator } }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let start = end! + 4
        while buffer.count < start + length { try fill() }
        return HTTPAnswer(status: Int(statusLine[1]) ?? 0, headers: headers, body: Array(buffer[start..<(start + length)]))
    }

    /// Whether the server closed this connection (a read sees the end) within the socket's timeout.
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

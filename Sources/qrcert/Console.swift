import Foundation
import QRCert
import QRCertIO
import QRCertFormat

/// Standard streams for the CLI: data on stdout, diagnostics on stderr, colour only on a terminal.
///
/// Swift 6 strict concurrency rejects the C `stdout`/`stderr` globals, so writes go to the file descriptors.
enum Console {
    /// Whether stdout / stderr / stdin is a terminal.
    static let stdoutIsTerminal = isatty(1) == 1
    static let stderrIsTerminal = isatty(2) == 1
    static let stdinIsTerminal = isatty(0) == 1

    /// Colour on stdout: a terminal, and `NO_COLOR` unset or empty (no-color.org).
    static var colour: Bool {
        stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Columns of the terminal on stdout (TIOCGWINSZ, else `COLUMNS`), or nil when unknown.
    static var columns: Int? {
        var size = winsize()
        if stdoutIsTerminal, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Writes straight to file descriptor 1 (no buffer): a scanner's answer is on screen before the next scan is read.
    static func write(_ text: String) { writeAll(1, Array(text.utf8)) }

    /// As `write(_:)`, for UTF-8 already in a buffer (the verifier renders every answer into one).
    static func write(bytes: [UInt8]) { writeAll(1, bytes) }

    /// As `write(_:)`, for what is in `buffer`.
    static func write(_ buffer: WriteBuffer) { buffer.withUnsafeBytes { writeAll(1, $0) } }

    static func line(_ text: String) { write(text + "\n") }

    /// One line on stderr. Messages quote unverified input (a scanned prefix, a record value, a list's names):
    /// the whole line is escaped here, at render time, so nothing in it can drive the terminal.
    static func diagnostic(_ text: String) { writeAll(2, Array((DisplayText.escaped(text) + "\n").utf8)) }

    /// The whole of `bytes` to `fd`. A stream that cannot be written (a full disk) ends the run with
    /// status 2 and a message where one can still be written, instead of a trap.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) { bytes.withUnsafeBytes { writeAll(fd, $0) } }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if errno == EPIPE { exit(Status.couldNotRun) }  // the reader has gone (`| head`): nothing to say, nobody to say it to
                let reason = String(cString: strerror(errno))
                if fd != 2 {
                    let message = Array("qrcert: error: cannot write to \(fd == 1 ? "stdout" : "fd \(fd)"): \(reason) [IO_WRITE]\n".utf8)
                    _ = message.withUnsafeBytes { Glibc.write(2, $0.baseAddress, message.count) }
                }
                exit(Status.couldNotRun)
            }
            offset += n
        }
    }

    /// `qrcert: error: MESSAGE [CODE]` and its hint, age's style.
    static func report(_ error: QRCertError) {
        diagnostic("qrcert: error: \(error.message) [\(error.code)]")
        if let hint = error.hint { diagnostic("qrcert: hint: \(hint)") }
    }

    static func warn(_ text: String) { diagnostic("qrcert: warning: \(text)") }
}

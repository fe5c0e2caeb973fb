import Foundation
import XCTest

/// A pseudo-terminal for process tests of what qrcert does on a terminal (progress line, prompts, echo,
/// the scanner screen): the child gets the terminal side on the streams the test chooses, the test types
/// into the other side and reads what the screen received. Output arrives as a terminal sends it: `\n`
/// becomes `\r\n` (`screenText` undoes that).
final class PseudoTerminal {
    let controller: Int32
    let terminal: Int32
    private(set) var received = Data()
    let process = Process()

    /// A terminal of `columns` x `rows`.
    init(columns: UInt16 = 80, rows: UInt16 = 24) throws {
        // Glibc's module does not offer unlockpt/ptsname (they need _XOPEN_SOURCE): their two Linux ioctls,
        // TIOCSPTLCK and TIOCGPTN (function-like macros, not imported; the values of asm-generic/ioctls.h).
        controller = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        guard controller >= 0, ioctl(controller, 0x4004_5431, &unlock) == 0, ioctl(controller, 0x8004_5430, &number) == 0 else {
            throw PseudoTerminalError("/dev/ptmx: \(String(cString: strerror(errno)))")
        }
        let name = "/dev/pts/\(number)"
        terminal = open(name, O_RDWR | O_NOCTTY)
        guard terminal >= 0 else { throw PseudoTerminalError("open \(name): \(String(cString: strerror(errno)))") }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(terminal, UInt(TIOCSWINSZ), &size)
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        close(controller)
        close(terminal)
    }

    struct PseudoTerminalError: Error { let message: String; init(_ message: String) { self.message = message } }

    /// Starts `qrcert ARGUMENTS` with the terminal on the streams named in `on` (others: `stdin` file or
    /// /dev/null, stdout/stderr files the test reads with `file(_:)`).
    func start(_ arguments: [String], on streams: Set<Stream>, stdin: Data? = nil, in directory: URL? = nil,
               environment: [String: String] = [:]) throws {
        process.executableURL = try XCTUnwrap(CLI.binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": NSTemporaryDirectory(), "TERM": "xterm", "NO_COLOR": "1"]
        env.merge(environment) { $1 }
        process.environment = env
        let handle = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        let scratch = try CLI.makeTemporaryDirectory()
        self.scratch = scratch
        if streams.contains(.stdin) {
            process.standardInput = handle
        } else if let stdin {
            let url = scratch.appendingPathComponent("stdin")
            try stdin.write(to: url)
            process.standardInput = try FileHandle(forReadingFrom: url)
        } else {
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        }
        for (stream, name) in [(Stream.stdout, "stdout"), (.stderr, "stderr")] {
            let target: FileHandle
            if streams.contains(stream) {
                target = handle
            } else {
                let url = scratch.appendingPathComponent(name)
                FileManager.default.createFile(atPath: url.path, contents: nil)
                target = try FileHandle(forWritingTo: url)
            }
            if stream == .stdout { process.standardOutput = target } else { process.standardError = target }
        }
        try process.run()
    }

    private var scratch: URL?

    enum Stream: Hashable { case stdin, stdout, stderr }

    /// What the child wrote to a stream that is not the terminal.
    func file(_ stream: Stream) throws -> String {
        let url = try XCTUnwrap(scratch).appendingPathComponent(stream == .stdout ? "stdout" : "stderr")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Types `text` at the keyboard.
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(controller, $0.baseAddress, bytes.count) }
    }

    /// Reads what the screen received until it holds `text` (true) or `seconds` pass (false; a liveness
    /// bound, not a speed measurement).
    @discardableResult
    func wait(for text: String, within seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !screenText.contains(text) {
            guard readSome(until: deadline) else { return screenText.contains(text) }
        }
        return true
    }

    /// Waits for the process to end, reading the screen meanwhile, and returns its status.
    func finish(within seconds: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { _ = readSome(until: min(deadline, Date().addingTimeInterval(0.05))) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        while readSome(until: Date()) {}
        return process.terminationStatus
    }

    /// The bytes received, as text with the terminal's `\r\n` turned back into `\n`.
    var screenText: String {
        String(decoding: received, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// The raw text received (`\r`, escape sequences and all).
    var rawText: String { String(decoding: received, as: UTF8.self) }

    /// Whether the terminal echoes what is typed (the child may have turned that off).
    var echoes: Bool {
        var settings = termios()
        tcgetattr(terminal, &settings)
        return settings.c_lflag & tcflag_t(ECHO) != 0
    }

    /// One read if anything arrives before `deadline`; false when nothing did.
    private func readSome(until deadline: Date) -> Bool {
        var poller = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
        let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
        guard poll(&poller, 1, left) > 0, poller.revents & Int16(POLLIN) != 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(controller, &chunk, chunk.count)
        guard n > 0 else { return false }
        received.append(contentsOf: chunk[0..<n])
        return true
    }
}

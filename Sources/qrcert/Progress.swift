import Foundation

/// A progress line on stderr when it is a terminal (bar and ETA when the input's size is known, count,
/// rate, rejects); nothing otherwise, so logs and pipes only get the summary.
final class Progress {
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    /// Whether a progress line is on screen now (a diagnostic must clear it first).
    private var drawn = false
    private let totalBytes: Int?

    /// `totalBytes`: the input's size when known (a file), for the bar and the ETA.
    init(enabled: Bool, totalBytes: Int?) {
        self.enabled = enabled
        self.totalBytes = totalBytes
    }

    /// Seconds since start.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Redraws at most ten times a second. `skipped`: records an earlier run issued (`--resume`).
    func update(issued: Int, rejected: Int, skipped: Int = 0, bytesRead: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let seconds = max(elapsed, 0.001)
        var line = "\r\u{1B}[K"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytesRead) / Double(totalBytes))
            let width = 24, filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            line += String(format: "%3.0f%% ", fraction * 100)
            if fraction > 0.01 {
                line += "ETA " + Self.duration(seconds / fraction - seconds) + " "
            }
        }
        line += "\(issued) issued"
        if skipped > 0 { line += ", \(skipped) already issued" }
        if rejected > 0 { line += ", \(rejected) rejected" }
        line += String(format: ", %.0f/s", Double(issued) / seconds)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// A diagnostic line (a rejected row, a warning) while the progress line may be on screen: the
    /// progress line is cleared first, so the message starts at column 0, and drawn again at the next update.
    func diagnostic(_ text: String) {
        if drawn {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            drawn = false
            lastDraw = 0
        }
        Console.diagnostic(text)
    }

    /// Clears the line before the summary.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    /// `42s`, `7m05s`, `2h13m`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}

import Foundation

/// The terminal settings of stdin before `TerminalEcho.off()`, for the signal handler to put back.
nonisolated(unsafe) private var savedSettings = termios()
nonisolated(unsafe) private var settingsSaved: sig_atomic_t = 0

/// The scanner loop with the terminal's echo off: a USB scanner types 300 characters per code, and echoed
/// they would fill the screen above the card (and show the payload, which the card already decodes). Lines
/// are still read whole (canonical mode); Ctrl-C and Ctrl-D work as before. The settings are put back when
/// the loop ends and when a signal ends the process.
enum TerminalEcho {
    /// Turns echo off on stdin when it is a terminal; false when it is not (nothing changed).
    @discardableResult
    static func off() -> Bool {
        var settings = termios()
        guard isatty(0) == 1, tcgetattr(0, &settings) == 0 else { return false }
        savedSettings = settings
        settingsSaved = 1
        settings.c_lflag &= ~tcflag_t(ECHO | ECHONL)
        guard tcsetattr(0, TCSANOW, &settings) == 0 else { return false }
        // Every exit(), including a failed write's, puts the terminal back too.
        atexit { if settingsSaved != 0 { tcsetattr(0, TCSANOW, &savedSettings) } }
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(number) { number in
                // Async-signal-safe only: tcsetattr, signal, raise.
                if settingsSaved != 0 { tcsetattr(0, TCSANOW, &savedSettings) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
        return true
    }

    /// Puts the saved settings back.
    static func restore() {
        guard settingsSaved != 0 else { return }
        tcsetattr(0, TCSANOW, &savedSettings)
        settingsSaved = 0
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(number, SIG_DFL) }
    }
}

import Foundation

/// The signal a handler recorded; 0 while none came. `sig_atomic_t` is what a handler may write.
nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0

/// SIGINT and SIGTERM as a request that a long run polls: the first one asks it to stop cleanly (finish what
/// is in flight, write the manifest, remove temporary files); a second one ends the process at once.
enum Interruption {
    /// Installs the handlers.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                // Only async-signal-safe work here: record the signal and restore the default action.
                receivedSignal = number
                signal(number, SIG_DFL)
            }
        }
    }

    /// The first signal received, if any.
    static var requested: Int32? {
        let number = receivedSignal
        return number == 0 ? nil : number
    }

    /// Restores the default actions.
    static func uninstall() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

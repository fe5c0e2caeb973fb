import Foundation
import QRCert

extension Language {
    /// `vi` when LC_ALL, else LC_MESSAGES, else LANG (the first of them set and not empty) says Vietnamese, else `en`:
    /// the language of a front end's texts when none is asked for.
    public static func fromEnvironment() -> Language {
        let env = ProcessInfo.processInfo.environment
        let locale = [env["LC_ALL"], env["LC_MESSAGES"]].compactMap { $0 }.first { !$0.isEmpty } ?? env["LANG"] ?? ""
        return locale.lowercased().hasPrefix("vi") ? .vi : .en
    }
}

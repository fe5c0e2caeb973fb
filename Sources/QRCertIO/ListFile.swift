import Foundation
import QRCert
import QRCertFormat

/// A signed list's file (trust list or revocation list), read for `verify`, `trust-list` and `revoke`.
public enum ListFile {
    /// A list file, refused by its size before it is read (`TL_TOO_LARGE`, `RL_TOO_LARGE`).
    public static func read(_ path: String, _ kind: ListKind) throws(QRCertError) -> [UInt8] {
        var info = stat()
        if stat(path, &info) == 0, Int64(info.st_size) > Int64(kind.maxBytes) {
            throw QRCertError(kind == .trustList ? .trust : .revocation, kind == .trustList ? "TL_TOO_LARGE" : "RL_TOO_LARGE",
                              "\(path) is \(info.st_size) bytes, more than the \(kind.maxBytes >> 20) MiB a \(kind.noun) may be")
        }
        return try Files.read(path, what: kind.noun)
    }
}

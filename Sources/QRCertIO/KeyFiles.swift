import Foundation
import QRCertCrypto
import QRCertFormat

/// The two files `keygen --out BASE` writes: BASE.key.pem (the private key, mode 0600, created exclusively) and
/// BASE.pub.pem (its public key).
public struct KeyFiles: Sendable {
    /// BASE.key.pem.
    public let privatePath: String
    /// BASE.pub.pem.
    public let publicPath: String

    /// The files for `base`: its folder is made, and IO_EXISTS when either file exists (nothing is overwritten).
    public init(_ base: String) throws(QRCertError) {
        privatePath = base + ".key.pem"
        publicPath = base + ".pub.pem"
        try Self.makeFolder(of: base)
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw QRCertError(.io, "IO_EXISTS", "\(path) already exists; refusing to overwrite it")
        }
    }

    /// Writes `key` (encrypted with `passphrase` when given) and its public key; if the public key cannot be
    /// written, the private key file is removed again.
    public func write(_ key: PrivateKey, passphrase: [UInt8]?) throws(QRCertError) {
        let pem = try key.pemText(passphrase: passphrase)
        try Files.createExclusive(privatePath, bytes: Array(pem.utf8), mode: 0o600)
        do throws(QRCertError) {
            try Files.createExclusive(publicPath, bytes: Array(key.publicKey.pemText.utf8), mode: 0o644)
        } catch {
            unlink(privatePath)
            throw error
        }
    }

    /// Writes BASE.pub.pem alone (a key made in a token, whose private half never leaves it).
    public static func writePublic(_ key: PublicKey, out base: String) throws(QRCertError) {
        try makeFolder(of: base)
        try Files.createExclusive(base + ".pub.pem", bytes: Array(key.pemText.utf8), mode: 0o644)
    }

    /// Makes the folder `base` names, if any.
    private static func makeFolder(of base: String) throws(QRCertError) {
        // Not NSString.deletingLastPathComponent: it traps on a bare name such as `--out k` (swift-corelibs-foundation).
        let directory = base.lastIndex(of: "/").map { String(base[..<$0]) } ?? ""
        if !directory.isEmpty { try Files.makeDirectory(directory) }
    }
}

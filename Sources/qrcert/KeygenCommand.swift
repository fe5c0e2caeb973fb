import ArgumentParser
import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat

/// `qrcert keygen`: a new signing key pair.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a signing key pair: PATH.key.pem (mode 0600) and PATH.pub.pem.",
        discussion: """
        Never overwrites: both files are created exclusively. Prints the key id (kid), the first 8 bytes of SHA-256 over the public key's SubjectPublicKeyInfo, in hex.

        Examples:
          qrcert keygen --out keys/danang-csgt
          qrcert keygen --out keys/danang-csgt --alg ed25519 \\
              --passphrase-file secret.txt
        """
    )

    @Option(help: "Path prefix of the two files to write.")
    var out: String

    @Option(help: "Algorithm: es256 (ECDSA P-256, default) or ed25519.")
    var alg: KeyAlgorithm = .es256

    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let keyPath = out + ".key.pem", publicPath = out + ".pub.pem"
        // Not NSString.deletingLastPathComponent: it traps on a bare name such as `--out k` (swift-corelibs-foundation).
        let directory = out.lastIndex(of: "/").map { String(out[..<$0]) } ?? ""
        if !directory.isEmpty { try Files.makeDirectory(directory) }
        for path in [keyPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw QRCertError(.io, "IO_EXISTS", "\(path) already exists; refusing to overwrite it")
        }
        let key = try PrivateKey.generate(alg.signatureAlgorithm)
        let pem = try key.pemText(passphrase: try passphrase.passphrase())
        try Files.createExclusive(keyPath, bytes: Array(pem.utf8), mode: 0o600)
        do {
            try Files.createExclusive(publicPath, bytes: Array(key.publicKey.pemText.utf8), mode: 0o644)
        } catch {
            unlink(keyPath)
            throw error
        }
        Console.line(Hex.encode(key.publicKey.keyID))
        Console.diagnostic("qrcert: wrote \(keyPath) (private, \(alg.signatureAlgorithm.name)) and \(publicPath) (public)")
    }
}

/// Algorithms `keygen` makes keys for.
enum KeyAlgorithm: String, ExpressibleByArgument, CaseIterable {
    case es256, ed25519

    var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .es256: return .es256
        case .ed25519: return .edDSA
        }
    }
}

import Foundation
import QRCert
import QRCertCrypto
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

    /// The revocation list in `bytes`, its signer checked against the root in `root` (a PEM file), the issuer
    /// keys of the trust list `trustList` signed by that root, and the keys or certificates in `trust`, each
    /// in service at `time` (`RevocationList.Signer.all`).
    public static func revocations(_ bytes: [UInt8], source: String, root: String?, trustList: String?, trust: [String],
                                   at time: Int64) throws(QRCertError) -> RevocationList {
        let rootKey = try root.map { (path) throws(QRCertError) in try PublicKeyFile.read(path, what: "root key") }
        var store = trust.isEmpty ? TrustStore() : try TrustLoader.load(trust)
        if let trustList {
            guard let rootKey else { throw QRCertError(.usage, "USAGE", "--trust-list needs --root ROOT.pub.pem, the key that signed it") }
            store.add(try TrustList.open(try read(trustList, .trustList), root: rootKey, source: trustList), source: trustList)
        }
        return try RevocationList.open(bytes, signers: RevocationList.Signer.all(root: rootKey, trust: store, at: time), source: source)
    }

    /// The revocation list in `bytes` that `key` signs, or that the public key in the file `previousKey` signed
    /// (the edition before a key rotation): `RL_WRONG_SIGNER`, with a hint naming `--previous-key`, otherwise.
    public static func revocations(_ bytes: [UInt8], source: String, signedBy key: PublicKey,
                                   previousKey: String?) throws(QRCertError) -> RevocationList {
        var signers = [RevocationList.Signer(key: key, scope: .all)]
        if let previousKey { signers.append(RevocationList.Signer(key: try PublicKeyFile.read(previousKey, what: "previous key"), scope: .all)) }
        do throws(QRCertError) {
            return try RevocationList.open(bytes, signers: signers, source: source)
        } catch where error.code == "RL_WRONG_SIGNER" {
            throw QRCertError(error.stage, error.code, error.message,
                              hint: "if the list was signed with the issuer's previous key, pass --previous-key OLD.pub.pem")
        }
    }

    /// Signs `list` with `signer` (`SignedList.signed`: the signature checked) and writes it to `path`: created
    /// exclusively when `creating` (never overwriting a file), else replaced atomically (readers see the old
    /// edition or the new one, never part of either).
    public static func write(_ list: some SignedList, to path: String, creating: Bool, signer: any Signer) throws(QRCertError) {
        let bytes = try list.signed(with: signer)
        if creating {
            try Files.createExclusive(path, bytes: bytes, mode: 0o644)
        } else {
            try Files.writeAtomically(path, bytes: bytes)
        }
    }
}

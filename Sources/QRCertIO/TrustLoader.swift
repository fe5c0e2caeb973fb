import Foundation
import QRCert
import QRCertFormat

/// `--trust` files and folders into a trust store.
public enum TrustLoader {
    /// The keys and signer certificates in `paths` (files, or folders whose .pem, .der, .crt and .cer files are
    /// read in name order, `.key.pem` skipped); `TRUST_NONE` when there is none to read.
    public static func load(_ paths: [String]) throws(QRCertError) -> TrustStore {
        guard !paths.isEmpty else {
            throw QRCertError(.usage, "TRUST_NONE", "no trusted keys", hint: "pass --trust ISSUER.pub.pem (or a folder of keys)")
        }
        var store = TrustStore()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw QRCertError(.io, "IO_READ", "trust file \(path) does not exist")
            }
            if isDirectory.boolValue {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                } catch {
                    throw QRCertError(.io, "IO_READ", "trust folder \(path) cannot be listed: \(error.localizedDescription)")
                }
                let files = names.filter { ["pem", "der", "crt", "cer"].contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasSuffix(".key.pem") }
                guard !files.isEmpty else { throw QRCertError(.trust, "TRUST_BAD_FILE", "folder \(path) holds no .pem, .der, .crt or .cer files") }
                for name in files {
                    let file = path + "/" + name
                    try store.add(fileBytes: try Files.read(file, what: "trust file"), source: file)
                }
            } else {
                try store.add(fileBytes: try Files.read(path, what: "trust file"), source: path)
            }
        }
        return store
    }
}

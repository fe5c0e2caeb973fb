import QRCertCrypto
import QRCert
import QRCertIO

/// Where `issue` puts each record's PNG (or PDF, SVG) inside the output folder.
///
/// Flat (`OUT/<id>.png`) by default. With `--shard N` each file goes in a sub-folder named by the first N hex
/// digits of SHA-256 over the id's UTF-8 bytes (`OUT/3f/<id>.png` for N = 2): 16^N folders filled evenly
/// whatever the ids look like, so a million files stay listable. The manifest's `file` gives the path, so
/// nobody has to recompute it.
struct OutputLayout: Sendable {
    /// Hex digits of the sub-folder name, 0 (flat) to 4.
    let shard: Int
    /// The files' extension: png, pdf or svg.
    var fileExtension = "png"

    /// Largest accepted `--shard` (65,536 folders).
    static let maxShard = 4

    /// The PNG's path relative to the output folder.
    func file(for id: String) -> String {
        let name = Files.safeName(id) + "." + fileExtension
        guard shard > 0 else { return name }
        return String(Hex.encode(Digest.sha256(Array(id.utf8))).prefix(shard)) + "/" + name
    }

    /// Whether `name`, an entry of the output folder, could be a sub-folder of some `--shard` layout.
    static func isShardFolder(_ name: String) -> Bool {
        (1...maxShard).contains(name.utf8.count) && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

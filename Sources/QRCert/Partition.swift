import QRCertCrypto
import QRCertFormat

/// Part K of N of an input, chosen by record id, so that a national re-issue runs as N independent jobs
/// (GNU parallel, a Slurm array, a Kubernetes Indexed Job) over the same file: `issue --partition K/N`.
///
/// A record belongs to part `1 + (h mod N)`, where `h` is the first 8 bytes, big-endian, of SHA-256 over
/// its id's UTF-8 bytes (the id as issued: trimmed, NFC). Every record belongs to exactly one part, and
/// equal ids to the same part, so each part still catches its duplicates. A rejected row belongs to the
/// part of the id it was read with, and a row rejected before any id could be read (malformed, ragged)
/// to part 1: across the N runs every row is issued or reported exactly once (docs/BATCH.md).
public struct Partition: Sendable, Equatable, CustomStringConvertible {
    /// K, 1-based.
    public let index: Int
    /// N.
    public let count: Int

    /// The whole input: part 1 of 1.
    public static let whole = Partition(validIndex: 1, count: 1)

    /// Most parts accepted.
    public static let maxCount = 1 << 20

    /// From `K/N`, 1 <= K <= N <= `maxCount`.
    public init(_ text: String) throws(QRCertError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
              (1...Self.maxCount).contains(n), (1...n).contains(k) else {
            throw QRCertError(.usage, "USAGE", "--partition must be K/N with 1 <= K <= N <= \(Self.maxCount), not \(text)")
        }
        self.init(validIndex: k, count: n)
    }

    private init(validIndex: Int, count: Int) {
        self.index = validIndex
        self.count = count
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// The part (1-based) that `id` belongs to.
    public static func part(of id: String, count: Int) -> Int {
        guard count > 1 else { return 1 }
        let digest = Digest.sha256(Array(id.utf8))
        let h = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return 1 + Int(h % UInt64(count))
    }

    /// Whether the record with `id` is this part's.
    public func contains(id: String) -> Bool {
        count == 1 || Self.part(of: id, count: count) == index
    }

    /// Whether this part reports `rejection`: by the id it was read with, part 1 when it has none.
    public func owns(_ rejection: RejectedRow) -> Bool {
        guard let id = rejection.id else { return index == 1 }
        return contains(id: id)
    }
}

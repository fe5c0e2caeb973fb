import QRCertFormat

/// Typed reading of a signed list's map with integer keys: a missing required field, a field of the
/// wrong type or an unknown key is `TL_BAD_CONTENT` / `RL_BAD_CONTENT` (a newer format has a new version).
struct ListFields {
    let pairs: [CBORPair]
    let kind: ListKind
    let context: String

    func bad(_ why: String) -> QRCertError {
        kind.error("TL_BAD_CONTENT", "RL_BAD_CONTENT", "\(context): \(why)")
    }

    /// Fails on a key outside `known`.
    func only(_ known: ClosedRange<Int64>) throws(QRCertError) {
        for pair in pairs {
            guard let key = pair.key.int64, known.contains(key) else { throw bad("unknown field \(pair.key)") }
        }
    }

    func value(_ key: Int64) -> CBOR? { pairs.first { $0.key.int64 == key }?.value }

    func int(_ key: Int64, _ name: String) throws(QRCertError) -> Int64 {
        guard let value = try optionalInt(key, name) else { throw bad("\(name) is missing") }
        return value
    }

    func optionalInt(_ key: Int64, _ name: String) throws(QRCertError) -> Int64? {
        guard let item = value(key) else { return nil }
        guard let value = item.int64 else { throw bad("\(name) must be an integer") }
        return value
    }

    func text(_ key: Int64, _ name: String) throws(QRCertError) -> String {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .text(let text) = item else { throw bad("\(name) must be text") }
        return text
    }

    func optionalText(_ key: Int64, _ name: String) throws(QRCertError) -> String? {
        guard value(key) != nil else { return nil }
        return try text(key, name)
    }

    func bytes(_ key: Int64, _ name: String) throws(QRCertError) -> [UInt8] {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .bytes(let bytes) = item else { throw bad("\(name) must be a byte string") }
        return bytes
    }

    func array(_ key: Int64, _ name: String) throws(QRCertError) -> [CBOR] {
        guard let item = value(key) else { throw bad("\(name) is missing") }
        guard case .array(let items) = item else { throw bad("\(name) must be an array") }
        return items
    }

    /// The header fields shared by both kinds: 1 version, 2 sequence, 3 issued at, 4 next update, 5 grace.
    func header() throws(QRCertError) -> ListHeader {
        let version = try int(1, "version")
        guard version == ListEnvelope.version else { throw bad("format version \(version) is not supported (this qrcert reads \(ListEnvelope.version))") }
        let sequence = try int(2, "sequence")
        let issuedAt = try int(3, "issued at")
        let nextUpdate = try int(4, "next update")
        let grace = try int(5, "grace period")
        guard sequence >= 1 else { throw bad("sequence must be at least 1") }
        guard nextUpdate > issuedAt else { throw bad("next update must come after the issue time") }
        guard (0...ListHeader.maxGrace).contains(grace) else { throw bad("grace period must be 0 to \(ListHeader.maxGrace / 86_400) days") }
        return ListHeader(sequence: UInt64(sequence), issuedAt: issuedAt, nextUpdate: nextUpdate, grace: grace)
    }
}

extension ListHeader {
    /// The header fields as map pairs (keys 1 to 5).
    var pairs: [CBORPair] {
        [CBORPair(.int(1), .int(ListEnvelope.version)),
         CBORPair(.int(2), .unsigned(sequence)),
         CBORPair(.int(3), .int(issuedAt)),
         CBORPair(.int(4), .int(nextUpdate)),
         CBORPair(.int(5), .int(grace))]
    }
}

import QRCertFormat

/// Turns what a reader yields into credentials: the profile's checks plus uniqueness of ids across the input.
public struct RecordChecker: Sendable {
    /// The profile rows must follow.
    public let profile: Profile
    private var seenIDs = IDSet()

    /// A checker for `profile`.
    public init(profile: Profile) { self.profile = profile }

    /// The credential, or why the row is rejected.
    public mutating func check(_ item: RecordReadResult) -> Result<(RecordRow, Credential), RejectedRow> {
        switch item {
        case .rejected(let rejection):
            return .failure(rejection)
        case .row(let row):
            do throws(RejectedRow) {
                let credential = try Credential(row: row, profile: profile)
                let id = credential.id
                guard seenIDs.insert(id) else {
                    return .failure(RejectedRow(source: row.source, line: row.line, field: profile.idField, id: id,
                        error: QRCertError(.records, "REC_DUPLICATE_ID", "\(id) appears earlier in the input")))
                }
                return .success((row, credential))
            } catch {
                return .failure(error)
            }
        }
    }
}

/// An exact set of ids in about 8 bytes per id plus the ids' own bytes: the one structure of a batch run
/// that grows with the input (a million 12-byte licence numbers take ~30 MB; a `Set<String>` took about
/// twice that, and more for ids over 15 bytes, which Swift stores out of line).
///
/// Open addressing over one `UInt64` per slot: the high 32 bits of the id's hash and, below them, 1 + the
/// offset of the id in `arena` (0 marks an empty slot). Equal hash bits are confirmed by comparing bytes,
/// so a hash collision never makes two different ids look alike.
struct IDSet: Sendable {
    private var slots = [UInt64](repeating: 0, count: 1 << 12)
    /// The ids, each as a LEB128 length and its UTF-8 bytes.
    private var arena: [UInt8] = []
    private var count = 0

    /// Adds `id`; false if it was already there.
    mutating func insert(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { insert(bytes: $0) }
    }

    private mutating func insert(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let tag = hash >> 32
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] != 0 {
            let slot = slots[index]
            if slot >> 32 == tag && matches(bytes, at: Int(slot & 0xFFFF_FFFF) - 1) { return false }
            index = (index + 1) & mask
        }
        // The arena offset must fit the 32 low bits; past 4 GiB of ids the table would need wider slots.
        precondition(arena.count < 0xFFFF_FFFF, "more than 4 GiB of record ids")
        slots[index] = tag << 32 | UInt64(arena.count + 1)
        var length = bytes.count
        repeat {
            arena.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
            length >>= 7
        } while length > 0
        arena.append(contentsOf: bytes)
        count += 1
        if count * 4 > slots.count * 3 { grow() }
        return true
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        var position = offset, length = 0, shift = 0
        while true {
            let byte = arena[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        guard length == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { stored in stored[position..<(position + length)].elementsEqual(bytes) }
    }

    /// Doubles the table, re-placing every entry from its stored bytes' hash.
    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        arena.withUnsafeBufferPointer { stored in
            for slot in old where slot != 0 {
                var position = Int(slot & 0xFFFF_FFFF) - 1, length = 0, shift = 0
                while true {
                    let byte = stored[position]
                    position += 1
                    length |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                var hasher = Hasher()
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: stored[position..<(position + length)])))
                var index = Int(truncatingIfNeeded: UInt64(bitPattern: Int64(hasher.finalize()))) & mask
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = slot
            }
        }
    }
}

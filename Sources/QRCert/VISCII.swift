/// VISCII (RFC 1456): the Vietnamese 8-bit character set, one byte for each of the 134 precomposed
/// Vietnamese letters and for ASCII.
///
/// Records carry Vietnamese text in VISCII rather than UTF-8 because it takes one byte per letter
/// instead of two or three, and zlib cannot win that back on a few hundred bytes: the median driving
/// licence payload is 21 Base45 characters shorter (docs/FORMAT.md §4.5, docs/PERFORMANCE.md).
public enum VISCII {
    /// The Unicode scalar of each byte (RFC 1456; the same table as glibc's iconv `VISCII`).
    /// Six C0 positions (0x02, 0x05, 0x06, 0x14, 0x19, 0x1E) hold capital letters.
    public static let scalars: [UInt32] = [
        0x0000, 0x0001, 0x1EB2, 0x0003, 0x0004, 0x1EB4, 0x1EAA, 0x0007,
        0x0008, 0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x000E, 0x000F,
        0x0010, 0x0011, 0x0012, 0x0013, 0x1EF6, 0x0015, 0x0016, 0x0017,
        0x0018, 0x1EF8, 0x001A, 0x001B, 0x001C, 0x001D, 0x1EF4, 0x001F,
        0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027,
        0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
        0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
        0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
        0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
        0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
        0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
        0x0058, 0x0059, 0x005A, 0x005B, 0x005C, 0x005D, 0x005E, 0x005F,
        0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
        0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
        0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
        0x0078, 0x0079, 0x007A, 0x007B, 0x007C, 0x007D, 0x007E, 0x007F,
        0x1EA0, 0x1EAE, 0x1EB0, 0x1EB6, 0x1EA4, 0x1EA6, 0x1EA8, 0x1EAC,
        0x1EBC, 0x1EB8, 0x1EBE, 0x1EC0, 0x1EC2, 0x1EC4, 0x1EC6, 0x1ED0,
        0x1ED2, 0x1ED4, 0x1ED6, 0x1ED8, 0x1EE2, 0x1EDA, 0x1EDC, 0x1EDE,
        0x1ECA, 0x1ECE, 0x1ECC, 0x1EC8, 0x1EE6, 0x0168, 0x1EE4, 0x1EF2,
        0x00D5, 0x1EAF, 0x1EB1, 0x1EB7, 0x1EA5, 0x1EA7, 0x1EA9, 0x1EAD,
        0x1EBD, 0x1EB9, 0x1EBF, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EC7, 0x1ED1,
        0x1ED3, 0x1ED5, 0x1ED7, 0x1EE0, 0x01A0, 0x1ED9, 0x1EDD, 0x1EDF,
        0x1ECB, 0x1EF0, 0x1EE8, 0x1EEA, 0x1EEC, 0x01A1, 0x1EDB, 0x01AF,
        0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x1EA2, 0x0102, 0x1EB3, 0x1EB5,
        0x00C8, 0x00C9, 0x00CA, 0x1EBA, 0x00CC, 0x00CD, 0x0128, 0x1EF3,
        0x0110, 0x1EE9, 0x00D2, 0x00D3, 0x00D4, 0x1EA1, 0x1EF7, 0x1EEB,
        0x1EED, 0x00D9, 0x00DA, 0x1EF9, 0x1EF5, 0x00DD, 0x1EE1, 0x01B0,
        0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x1EA3, 0x0103, 0x1EEF, 0x1EAB,
        0x00E8, 0x00E9, 0x00EA, 0x1EBB, 0x00EC, 0x00ED, 0x0129, 0x1EC9,
        0x0111, 0x1EF1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x1ECF, 0x1ECD,
        0x1EE5, 0x00F9, 0x00FA, 0x0169, 0x1EE7, 0x00FD, 0x1EE3, 0x1EEE,
    ]

    private static let bytesByScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalars.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    /// Whether scalar `value` has a VISCII code (what `encode` asks of each scalar), from a table of the scalars
    /// below U+1F00: every VISCII scalar is one of them.
    static func hasCode(_ value: UInt32) -> Bool {
        value < 0x1F00 && codeTable[Int(value)]
    }

    private static let codeTable: [Bool] = {
        var table = [Bool](repeating: false, count: 0x1F00)
        for value in 0x20..<0x7F { table[value] = true }
        for scalar in scalars { table[Int(scalar)] = true }
        return table
    }()

    /// The VISCII bytes of `text`, or nil when one of its characters has no VISCII code.
    public static func encode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value < 0x7F {
                bytes.append(UInt8(scalar.value))  // printable ASCII is itself
            } else if let byte = bytesByScalar[scalar.value] {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        return bytes
    }

    /// The text of VISCII `bytes` (every byte has a character, so this cannot fail).
    public static func decode(_ bytes: [UInt8]) -> String {
        // Straight to UTF-8 through a table, in a scratch buffer (the string is the one allocation): a verifier
        // decodes a few such fields per payload.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 3) { utf8 in
            var count = 0
            utf8Table.withUnsafeBufferPointer { table in
                for byte in bytes {
                    let entry = table[Int(byte)]
                    utf8[count] = UInt8(truncatingIfNeeded: entry)
                    count += 1
                    if entry > 0xFF { utf8[count] = UInt8(truncatingIfNeeded: entry >> 8); count += 1 }
                    if entry > 0xFFFF { utf8[count] = UInt8(truncatingIfNeeded: entry >> 16); count += 1 }
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: utf8[..<count]), as: UTF8.self)
        }
    }

    /// The text of VISCII `bytes` (as `decode`) and its `FieldText.Facts`, in one pass through one table giving each
    /// byte's UTF-8 and what its scalar is.
    static func decodeWithFacts(_ bytes: [UInt8]) -> (String, FieldText.Facts) {
        var flags: UInt32 = 0, count = 0
        let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 3) { utf8 in
            decodingTable.withUnsafeBufferPointer { table in
                for byte in bytes {
                    let entry = table[Int(byte)]
                    flags |= entry
                    utf8[count] = UInt8(truncatingIfNeeded: entry)
                    count += 1
                    if entry & 0xFF_FF00 != 0 { utf8[count] = UInt8(truncatingIfNeeded: entry >> 8); count += 1 }
                    if entry & 0xFF_0000 != 0 { utf8[count] = UInt8(truncatingIfNeeded: entry >> 16); count += 1 }
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: utf8[..<count]), as: UTF8.self)
        }
        var facts = FieldText.Facts()
        facts.utf8Count = count
        facts.hasControlCharacter = flags & Decoding.control != 0
        facts.isASCII = flags & Decoding.nonASCII == 0
        facts.isNFCStable = flags & Decoding.nfcUnstable == 0
        // Every scalar of VISCII has a VISCII code: hasVISCIICodes stays true.
        if let first = bytes.first, let last = bytes.last {
            facts.hasEdgeSpace = (decodingTable[Int(first)] | decodingTable[Int(last)]) & Decoding.space != 0
        }
        return (text, facts)
    }

    /// The bits of a `decodingTable` entry above the UTF-8 bytes (bits 0-23, first byte lowest; no scalar of VISCII
    /// encodes a zero byte after its first).
    private enum Decoding {
        static let control: UInt32 = 1 << 26, nonASCII: UInt32 = 1 << 27, nfcUnstable: UInt32 = 1 << 28, space: UInt32 = 1 << 29
    }

    private static let decodingTable: [UInt32] = zip(scalars, utf8Table).map { value, utf8 in
        var entry = utf8
        if DisplayText.isUnsafe(value) { entry |= Decoding.control }
        if value >= 0x80 { entry |= Decoding.nonASCII }
        if !FieldText.Facts.isNFCStable(value) { entry |= Decoding.nfcUnstable }
        if FieldText.Facts.isSpace(value) { entry |= Decoding.space }
        return entry
    }

    /// The UTF-8 bytes of each byte's scalar, first byte lowest (no scalar here needs a fourth byte or encodes a zero byte after the first).
    private static let utf8Table: [UInt32] = scalars.map { scalar in
        var packed: UInt32 = 0, shift: UInt32 = 0
        for unit in String(Unicode.Scalar(scalar) ?? "?").utf8 {
            packed |= UInt32(unit) << shift
            shift += 8
        }
        return packed
    }
}

/// JSON string quoting as every JSON line qrcert writes it (verify --json, the manifest, rejects, lists):
/// `"` and `\` escaped, LF, CR and tab by name, and every other character `DisplayText` calls unsafe
/// (controls, bidi and format characters, U+2028/9: the set a screen never shows raw) as `\uXXXX`
/// (UTF-16, lower-case hex); everything else copied as UTF-8.
public enum JSONString {
    private static let hex: StaticString = "0123456789abcdef"

    /// The most bytes `quote` writes for a string of `utf8Count` bytes: a C0 control byte becomes six.
    @inlinable public static func maxQuotedCount(_ utf8Count: Int) -> Int { 6 * utf8Count + 2 }

    /// Appends `s`, quoted, to `out`.
    public static func quote(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxQuotedCount(bytes.count)) { room in
                let written = quote(bytes, to: room.baseAddress!)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: room[0..<written]))
            }
        }
    }

    /// Appends `s`, quoted, to `out`. Inlined into its caller: a verdict's line quotes some 25 short strings.
    @inlinable public static func quote(_ s: String, into out: WriteBuffer) {
        let room = out.reserve(maxQuotedCount(s.utf8.count))
        let written = s.utf8.withContiguousStorageIfAvailable { quote($0, to: room) } ?? {
            var copy = s
            return copy.withUTF8 { quote($0, to: room) }
        }()
        out.commit(written)
    }

    /// `s` quoted, as text.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        quote(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes `bytes` (valid UTF-8: a Swift string's), quoted, at `out`, which has room for
    /// `maxQuotedCount(bytes.count)` bytes; returns how many it wrote. The one quoting both forms above use.
    @usableFromInline static func quote(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let input = bytes.baseAddress!
        var o = 0
        out[o] = UInt8(ascii: "\""); o += 1
        let n = bytes.count
        var i = 0
        func unit(_ unit: UInt32) {
            out[o] = UInt8(ascii: "\\"); out[o + 1] = UInt8(ascii: "u")
            hex.withUTF8Buffer { digits in
                for k in 0..<4 { out[o + 2 + k] = digits[Int((unit >> UInt32(12 - 4 * k)) & 0xF)] }
            }
            o += 6
        }
        while true {
            // Eight bytes at a time: a word's leading plain bytes (printable ASCII other than `"` and `\`) are
            // found with one test and copied with one store, the rest of the store overwritten by what follows
            // them (the room is six times the input, so it always fits). Most of every line is such text.
            while i &+ 8 <= n {
                let word = UnsafeRawPointer(input + i).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                let plain = plainPrefix(word)
                i &+= plain
                o &+= plain
                if plain < 8 { break }
            }
            if i &+ 8 > n {
                guard i < n else { break }
                if n >= 8 {
                    // The last bytes: the word that ends with them, its bytes before i shifted out (little-endian).
                    let word = UnsafeRawPointer(input + n - 8).loadUnaligned(as: UInt64.self) >> UInt64(8 &* (i &- (n &- 8)))
                    let plain = min(plainPrefix(word), n &- i)
                    for k in 0..<plain { out[o &+ k] = input[i &+ k] }
                    i &+= plain
                    o &+= plain
                    guard i < n else { break }
                }
            }
            // One byte or scalar that needs a look (or any byte of a string shorter than a word).
            let b0 = input[i]
            if b0 >= 0x20 && b0 < 0x7F && b0 != UInt8(ascii: "\"") && b0 != UInt8(ascii: "\\") {
                out[o] = b0
                i += 1
                o += 1
                continue
            }
            if b0 < 0x80 {
                switch b0 {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out[o] = UInt8(ascii: "\\"); out[o + 1] = b0; o += 2
                case UInt8(ascii: "\n"): out[o] = UInt8(ascii: "\\"); out[o + 1] = UInt8(ascii: "n"); o += 2
                case UInt8(ascii: "\r"): out[o] = UInt8(ascii: "\\"); out[o + 1] = UInt8(ascii: "r"); o += 2
                case UInt8(ascii: "\t"): out[o] = UInt8(ascii: "\\"); out[o + 1] = UInt8(ascii: "t"); o += 2
                default: unit(UInt32(b0))  // the other C0 controls and DEL
                }
                i += 1
                continue
            }
            // A Swift string is valid UTF-8: the scalar from its lead byte and continuation bytes.
            let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
            var value = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length { value = value << 6 | UInt32(input[i + k] & 0x3F) }
            if DisplayText.isUnsafe(value) {
                if value > 0xFFFF {
                    unit(0xD800 + ((value - 0x10000) >> 10))
                    unit(0xDC00 + ((value - 0x10000) & 0x3FF))
                } else {
                    unit(value)
                }
            } else {
                for k in 0..<length { out[o + k] = input[i + k] }
                o += length
            }
            i += length
        }
        out[o] = UInt8(ascii: "\""); o += 1
        return o
    }

    /// How many of the bytes of `word`, from its first (lowest), are printable ASCII other than `"` and `\`
    /// (0x20-0x7E but 0x22 and 0x5C): 8 when all are. Each test marks the high bit of every byte that fails it and
    /// possibly of bytes after such a byte (a borrow), never of one before: the lowest mark is the first failure.
    @inline(__always)
    static func plainPrefix(_ word: UInt64) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let below = (word &- ones &* 0x20) & ~word & highs
        let special = hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C)) | hasZero(word ^ (ones &* 0x7F))
        return ((word & highs) | below | special).trailingZeroBitCount >> 3
    }
}

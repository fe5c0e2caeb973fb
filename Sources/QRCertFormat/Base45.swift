/// Base45, RFC 9285: the text encoding that fits QR alphanumeric mode.
///
/// Two bytes become three characters and a final single byte becomes two, least significant digit first.
/// Decoding is strict: only the 45 alphabet characters, no whitespace, no lower case, and a group whose
/// value does not fit is an error rather than being taken modulo (RFC 9285 §4.2).
public enum Base45 {
    /// The RFC 9285 §4 alphabet; a character's index is its value.
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// Byte to digit value, `0xFF` where the byte is not an alphabet character (every byte from 128 on).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, char) in alphabet.enumerated() {
            table[Int(char)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as Base45 text.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count / 2 * 3 + 2)
        var index = 0
        while index + 1 < bytes.count {
            var n = Int(bytes[index]) << 8 | Int(bytes[index + 1])
            for _ in 0..<3 {
                out.append(alphabet[n % 45])
                n /= 45
            }
            index += 2
        }
        if index < bytes.count {
            let n = Int(bytes[index])
            out.append(alphabet[n % 45])
            out.append(alphabet[n / 45])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes Base45 text.
    ///
    /// Strict RFC 9285: only the 45 upper-case alphabet characters; length % 3 != 1; a triple > 65535 or a
    /// pair > 255 is an error (never taken modulo).
    /// Checks run in this order: characters (`B45_BAD_CHAR`), then length (`B45_BAD_LENGTH`), then each
    /// group's value (`B45_OVERFLOW`).
    public static func decode(_ text: String) throws(QRCertError) -> [UInt8] {
        var text = text
        if let bytes = text.withUTF8(decodeValid) { return bytes }
        return try decodeNamingTheProblem(text)
    }

    /// `decode` of valid text straight from its UTF-8, without a digits array; nil at the first problem, which
    /// the general path then finds again and names.
    private static func decodeValid(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        return decodeValid(text, into: &out) ? out : nil
    }

    /// `decodeValid` into `out`, whose storage is reused (a verifier's buffer, kept from payload to payload); false,
    /// with `out` holding nothing of use, where the text is not valid Base45.
    static func decodeValid(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        let n = text.count
        guard n % 3 != 1 else { return false }
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: n / 3 * 2 + (n % 3 == 2 ? 1 : 0)))
        return values.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { bytes in
                // Digits are below 45 and a character outside the alphabet is 0xFF: one test of the top bit at the end.
                var digits: UInt8 = 0
                var overflow = 0
                var index = 0, at = 0
                while index + 2 < n {
                    let a = table[Int(text[index])], b = table[Int(text[index + 1])], c = table[Int(text[index + 2])]
                    digits |= a | b | c
                    let value = Int(a) + Int(b) * 45 + Int(c) * 45 * 45
                    overflow |= value >> 16
                    bytes[at] = UInt8(truncatingIfNeeded: value >> 8)
                    bytes[at + 1] = UInt8(truncatingIfNeeded: value)
                    index += 3
                    at += 2
                }
                if index < n {
                    let a = table[Int(text[index])], b = table[Int(text[index + 1])]
                    digits |= a | b
                    let value = Int(a) + Int(b) * 45
                    overflow |= value >> 8
                    bytes[at] = UInt8(truncatingIfNeeded: value)
                }
                return digits & 0x80 == 0 && overflow == 0
            }
        }
    }

    /// The scalar-by-scalar decode, for text that is not valid Base45: it throws the first problem with its offset.
    private static func decodeNamingTheProblem(_ text: String) throws(QRCertError) -> [UInt8] {
        var digits = [UInt8]()
        digits.reserveCapacity(text.utf8.count)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let value = scalar.value < 128 ? values[Int(scalar.value)] : 0xFF
            guard value != 0xFF else {
                throw QRCertError(
                    .base45, "B45_BAD_CHAR",
                    "invalid base45 character \(describe(scalar)) at offset \(offset)",
                    hint: "base45 uses only 0-9, A-Z (upper case), space and $%*+-./:"
                )
            }
            digits.append(value)
        }
        guard digits.count % 3 != 1 else {
            throw QRCertError(
                .base45, "B45_BAD_LENGTH",
                "invalid base45 length \(digits.count): a single character cannot end the text",
                hint: "the text may be truncated or have a stray character"
            )
        }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 3 * 2 + 1)
        var index = 0
        while index + 2 < digits.count {
            let n = Int(digits[index]) + Int(digits[index + 1]) * 45 + Int(digits[index + 2]) * 45 * 45
            guard n <= 0xFFFF else {
                throw overflow(at: index, value: n, limit: 0xFFFF)
            }
            out.append(UInt8(n >> 8))
            out.append(UInt8(n & 0xFF))
            index += 3
        }
        if index < digits.count {
            let n = Int(digits[index]) + Int(digits[index + 1]) * 45
            guard n <= 0xFF else {
                throw overflow(at: index, value: n, limit: 0xFF)
            }
            out.append(UInt8(n))
        }
        return out
    }

    private static func overflow(at offset: Int, value: Int, limit: Int) -> QRCertError {
        QRCertError(
            .base45, "B45_OVERFLOW",
            "base45 group at offset \(offset) has value \(value), more than \(limit)",
            hint: "the text is not valid base45; it may be corrupted"
        )
    }

    /// A character as a person can read it in a message: printable ASCII quoted, anything else as U+XXXX.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x21 && scalar.value < 0x7F {
            return "'\(Character(scalar))'"
        }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

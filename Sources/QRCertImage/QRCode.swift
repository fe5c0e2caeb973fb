internal import CQRencode
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
public import QRCertFormat

/// A QR symbol: a square of dark/light modules (no quiet zone included).
public struct QRCode: Sendable {
    /// The symbol version, 1...40.
    public let version: Int
    /// Modules per side: `17 + 4 * version`.
    public let size: Int
    /// The error-correction level the symbol was encoded with.
    public let level: ErrorCorrection
    /// Row-major, one byte per module, 1 = dark.
    private let modules: [UInt8]

    /// Whether the module at column `x`, row `y` is dark. Coordinates outside the symbol are light
    /// (the quiet zone), so renderers may ask about their margin too.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x] != 0
    }

    /// Encodes `text` with libqrencode (QRcode_encodeString, case-sensitive, mode 8 hint so that libqrencode
    /// splits into alphanumeric/numeric/byte segments optimally) in the smallest version that fits.
    ///
    /// Throws `IMG_TOO_LONG` if it does not fit version 40 and `IMG_EMPTY_TEXT` for an empty string.
    /// Text containing U+0000 is encoded as a single byte segment (a C string cannot carry it).
    public static func encode(_ text: String, level: ErrorCorrection) throws(QRCertError) -> QRCode {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else {
            throw QRCertError(.image, "IMG_EMPTY_TEXT", "cannot encode an empty text as a qr code")
        }
        errno = 0
        let symbol: UnsafeMutablePointer<QRcode>?
        if bytes.contains(0) {
            symbol = bytes.withUnsafeBufferPointer {
                QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, level.qrecLevel)
            }
        } else {
            symbol = text.withCString { QRcode_encodeString($0, 0, level.qrecLevel, QR_MODE_8, 1) }
        }
        guard let symbol else {
            let code = errno
            if code == ERANGE { throw tooLong(bytes: bytes.count, level: level) }
            throw QRCertError(.image, "IMG_ENCODE_FAILED", "libqrencode failed with errno \(code)")
        }
        defer { QRcode_free(symbol) }
        let size = Int(symbol.pointee.width)
        // libqrencode's module byte: bit 0 is dark, the other bits describe the module's role.
        let modules = [UInt8](unsafeUninitializedCapacity: size * size) { buffer, count in
            for i in 0..<(size * size) { buffer[i] = symbol.pointee.data[i] & 1 }
            count = size * size
        }
        return QRCode(version: Int(symbol.pointee.version), size: size, level: level, modules: modules)
    }

    /// Whether `encode(text, level:)` fits `text` in a symbol (version 40 at most), answered without encoding when
    /// `text` is one alphanumeric segment: every character in the alphanumeric set (ISO/IEC 18004 §7.4.4, which
    /// holds all of Base45 and the `QC1:`/`QC2:` prefixes) and no run of 7 or more digits. libqrencode's splitter
    /// keeps such a text in one segment (a digit run shorter than 7 never costs fewer bits as its own numeric
    /// segment in its estimate), so it fits when its length is at most `level.alphanumericCapacity`. Any other
    /// text is encoded to find out; an error of that encoding other than `IMG_TOO_LONG` is thrown.
    public static func fits(_ text: String, level: ErrorCorrection) throws(QRCertError) -> Bool {
        var digitRun = 0
        var oneSegment = true
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                digitRun += 1
                if digitRun >= 7 { oneSegment = false; break }
            } else if alphanumericSymbols.contains(byte) || (byte >= 0x41 && byte <= 0x5A) {
                digitRun = 0
            } else {
                oneSegment = false
                break
            }
        }
        if oneSegment && !text.isEmpty { return text.utf8.count <= level.alphanumericCapacity }
        do throws(QRCertError) {
            _ = try encode(text, level: level)
            return true
        } catch where error.code == "IMG_TOO_LONG" {
            return false
        }
    }

    /// The error `encode` throws for a text of `bytes` bytes that fits no version at `level` (`IMG_TOO_LONG`).
    public static func tooLong(bytes: Int, level: ErrorCorrection) -> QRCertError {
        QRCertError(.image, "IMG_TOO_LONG", "text of \(bytes) bytes does not fit a version 40 qr code at level \(level.rawValue)",
                    hint: "use a lower error-correction level or a shorter payload")
    }

    /// The alphanumeric set's characters other than digits and capital letters: space $ % * + - . / :
    private static let alphanumericSymbols: Set<UInt8> = Set(" $%*+-./:".utf8)
}

extension ErrorCorrection {
    fileprivate var qrecLevel: QRecLevel {
        switch self {
        case .L: QR_ECLEVEL_L
        case .M: QR_ECLEVEL_M
        case .Q: QR_ECLEVEL_Q
        case .H: QR_ECLEVEL_H
        }
    }
}

import Foundation
import QRCert
import QRCertFormat
import QRCertImage

/// `verify --image`: a photo, a scan or a sheet in, one answer per QR code out.
public enum ImageScan {
    /// Every code in `file` (`-` is stdin) verified, in reading order; a file that cannot be read, is not
    /// an image, or holds no readable code gives one `.unread` answer, never silence.
    ///
    /// The pixels go through `QRDecoder.decode(imageBytes:)` only: the same path the DCC suite's
    /// PICTUREDECODE check runs. QR text is verified as read, with no scanner clean-up: a camera adds no
    /// keyboard artefacts.
    public static func read(_ file: String, verifier: Verifier, at time: Int64) -> [(VerdictRenderer.Answer, VerdictRenderer.Origin)] {
        let bytes: [UInt8]
        do throws(QRCertError) {
            bytes = file == "-" ? try standardInput() : try readFile(file)
        } catch {
            // An I/O error names the file already; a size refusal does not.
            let named = error.stage == .io ? error : error.located(file == "-" ? "<stdin>" : file)
            return [(.unread(named), VerdictRenderer.Origin(file: file, symbol: nil, index: 0, count: 0))]
        }
        return scan(bytes, file: file, verifier: verifier, at: time)
    }

    /// Every code in the PNG or JPEG image `bytes` (a photo uploaded to a server, a file already read)
    /// verified, in reading order, each with its place in the image; an image that is not PNG or JPEG, is
    /// damaged or holds no readable code gives one `.unread` answer. `file` names the image in messages and in
    /// each origin (`-` reads as `<stdin>` in messages). Bytes over `QRDecoder.maxFileBytes` are the caller's
    /// to refuse before reading them all.
    public static func scan(_ bytes: [UInt8], file: String, verifier: Verifier, at time: Int64) -> [(VerdictRenderer.Answer, VerdictRenderer.Origin)] {
        let unread = { (error: QRCertError) in [(VerdictRenderer.Answer.unread(error), VerdictRenderer.Origin(file: file, symbol: nil, index: 0, count: 0))] }
        let symbols: [DecodedSymbol]
        do throws(QRCertError) {
            symbols = try codes(in: bytes, file: file)
        } catch {
            return unread(error)
        }
        guard !symbols.isEmpty else {
            return unread(QRCertError(.image, "IMG_NO_CODE", "\(file == "-" ? "<stdin>" : file): no readable qr code in the image",
                                      hint: "photograph the code flat, filling a third of the picture, in even light, without glare"))
        }
        return symbols.enumerated().map { i, symbol in
            (.verdict(verifier.verify(symbol.text, at: time)), VerdictRenderer.Origin(file: file, symbol: symbol, index: i + 1, count: symbols.count))
        }
    }

    /// The QR codes found in the PNG or JPEG image `bytes`, in reading order, unverified (what `inspect --image`
    /// shows); an empty array when the image holds none. A decoder error names `file` (`-` as `<stdin>`).
    public static func codes(in bytes: [UInt8], file: String) throws(QRCertError) -> [DecodedSymbol] {
        do throws(QRCertError) {
            return try QRDecoder.decode(imageBytes: bytes)
        } catch {
            // The decoder's messages do not name the file.
            throw error.stage == .io ? error : error.located(file == "-" ? "<stdin>" : file)
        }
    }

    /// A `verify` argument that names an image rather than holding a payload: an existing file that starts
    /// with the PNG or JPEG signature, or a name ending in .png, .jpg or .jpeg (lower case: a scanned payload is
    /// upper case) that has no payload prefix, so that a missing photo is a read error, not an invalid payload.
    public static func isImageArgument(_ argument: String) -> Bool {
        if argument.hasPrefix("QC1:") || argument.hasPrefix("HC1:") || argument == "-" { return false }
        if [".png", ".jpg", ".jpeg"].contains(where: argument.hasSuffix) { return true }
        guard let handle = FileHandle(forReadingAtPath: argument) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        return head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) || head.starts(with: [0xFF, 0xD8, 0xFF])
    }

    /// An image file, refused by its size before it is read; what stat cannot size (a FIFO, a device) is read
    /// with the bound of stdin.
    public static func readFile(_ file: String) throws(QRCertError) -> [UInt8] {
        var info = stat()
        if stat(file, &info) == 0, Int64(info.st_size) > Int64(QRDecoder.maxFileBytes) {
            throw tooLarge("\(info.st_size) bytes")
        }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be read: \(String(cString: strerror(errno)))"
            throw QRCertError(.io, "IO_READ", "image \(file) \(reason)")
        }
        defer { close(fd) }
        return try bounded(fd, name: "image \(file)")
    }

    /// stdin up to the same bound: one byte more and reading stops, so an endless pipe costs 64 MiB at most.
    public static func standardInput() throws(QRCertError) -> [UInt8] { try bounded(0, name: "stdin") }

    /// Reads `fd` to its end, or stops one chunk past the bound with `IMG_TOO_LARGE`.
    private static func bounded(_ fd: Int32, name: String) throws(QRCertError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw QRCertError(.io, "IO_READ", "cannot read \(name): \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > QRDecoder.maxFileBytes { throw tooLarge("more than \(QRDecoder.maxFileBytes) bytes") }
        }
    }

    private static func tooLarge(_ size: String) -> QRCertError {
        QRCertError(.image, "IMG_TOO_LARGE", "image file is \(size), more than the \(QRDecoder.maxFileBytes >> 20) MiB an image may be")
    }
}

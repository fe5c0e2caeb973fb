import Foundation
import QRCert
import QRCertFormat
import QRCertImage

/// `verify --image`: a photo, a scan or a sheet in, one answer per QR code out.
enum ImageScan {
    /// Every code in `file` (`-` is stdin) verified, in reading order; a file that cannot be read, is not
    /// an image, or holds no readable code gives one `.unread` answer, never silence.
    ///
    /// The pixels go through `QRDecoder.decode(imageBytes:)` only: the same path the DCC suite's
    /// PICTUREDECODE check runs. QR text is verified as read, with no scanner clean-up: a camera adds no
    /// keyboard artefacts.
    static func read(_ file: String, verifier: Verifier, at time: Int64) -> [(VerdictRenderer.Answer, VerdictRenderer.Origin)] {
        let unread = { (error: QRCertError) in [(VerdictRenderer.Answer.unread(error), VerdictRenderer.Origin(file: file, symbol: nil, index: 0, count: 0))] }
        let symbols: [DecodedSymbol]
        do throws(QRCertError) {
            let bytes = file == "-" ? try standardInput() : try Files.read(file, what: "image")
            symbols = try QRDecoder.decode(imageBytes: bytes)
        } catch {
            // Files.read names the file already; the decoder's messages do not.
            return unread(error.stage == .io ? error : error.located(file == "-" ? "<stdin>" : file))
        }
        guard !symbols.isEmpty else {
            return unread(QRCertError(.image, "IMG_NO_CODE", "\(file == "-" ? "<stdin>" : file): no readable qr code in the image",
                                      hint: "photograph the code flat, filling a third of the picture, in even light, without glare"))
        }
        return symbols.enumerated().map { i, symbol in
            (.verdict(verifier.verify(symbol.text, at: time)), VerdictRenderer.Origin(file: file, symbol: symbol, index: i + 1, count: symbols.count))
        }
    }

    /// A `verify` argument that names an image rather than holding a payload: an existing file that starts
    /// with the PNG or JPEG signature, or a name ending in .png, .jpg or .jpeg (lower case: a scanned payload is
    /// upper case) that has no payload prefix, so that a missing photo is a read error, not an invalid payload.
    static func isImageArgument(_ argument: String) -> Bool {
        if argument.hasPrefix("QC1:") || argument.hasPrefix("HC1:") || argument == "-" { return false }
        if [".png", ".jpg", ".jpeg"].contains(where: argument.hasSuffix) { return true }
        guard let handle = FileHandle(forReadingAtPath: argument) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        return head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) || head.starts(with: [0xFF, 0xD8, 0xFF])
    }

    /// The whole of stdin, for `--image -`.
    static func standardInput() throws(QRCertError) -> [UInt8] {
        do {
            return [UInt8](try FileHandle.standardInput.readToEnd() ?? Data())
        } catch {
            throw QRCertError(.io, "IO_READ", "cannot read stdin: \(error.localizedDescription)")
        }
    }
}

extension VerdictRenderer.Answer {
    /// The exit status this answer asks for: a file that could not be read means the check could not run.
    var status: Int32 {
        switch self {
        case .verdict(let verdict): verdict.isValid ? Status.ok : Status.rejected
        case .unread(let error): error.stage == .io ? Status.couldNotRun : Status.rejected
        }
    }
}

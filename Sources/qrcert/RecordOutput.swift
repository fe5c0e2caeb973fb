import Foundation
import QRCert
import QRCertIO
import QRCertFormat
import QRCertImage

/// How `issue` draws and writes each record (the CLI's `IssueProducer`): a PNG per record under its name in the
/// output folder (`OutputLayout`), a card or stamp (`PrintOutput`), a sheet's item, or nothing for payload lines.
/// A fresh run's names must be free; a resumed run (`replacing`) replaces what its stopped run left after the
/// manifest (`Files.place`).
struct RecordOutput: IssueProducer {
    let format: OutputFormat
    let folder: String?
    let layout: OutputLayout
    let png: PNGOptions
    let level: ErrorCorrection
    let printer: PrintOutput?
    let replacing: Bool

    func produce(_ credential: Credential, _ issued: Issuer.Issued) throws(QRCertError) -> Rendered {
        if let printer, let folder { return try printer.produce(credential, issued, folder: folder, layout: layout, replacing: replacing) }
        guard format == .png, let folder else { return Rendered(file: nil, version: nil, bytes: nil) }
        let image = try drawPNG(issued.payload)
        let name = layout.file(for: credential.id)
        try Files.place(image.bytes, folder: folder, file: name, replacing: replacing)
        return Rendered(file: name, version: image.version, bytes: image.bytes.count)
    }

    func file(for credential: Credential) -> String { layout.file(for: credential.id) }

    func draw(_ credential: Credential, payload: String) throws(QRCertError) -> [UInt8] {
        if let printer { return try printer.document(credential, payload: payload).bytes }
        return try drawPNG(payload).bytes
    }

    private func drawPNG(_ payload: String) throws(QRCertError) -> (bytes: [UInt8], version: Int) {
        let code = try QRCode.encode(payload, level: level)
        return (try PNGRenderer.render(code, options: png), code.version)
    }
}

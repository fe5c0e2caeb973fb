import Foundation
import QRCert
import QRCertIO
import QRCertFormat
import QRCertImage
import QRCertPrint

/// How `issue --format pdf|svg` prints each credential: its layout, format and physical options, the fonts, and
/// the mapping from a credential to what is printed (docs/PRINT.md).
struct PrintOutput: Sendable {
    let layout: PrintLayout
    let format: PrintFormat
    let options: PrintOptions
    let fonts: TypesetterPool
    /// The signer's name (`--issuer`), printed at the foot of a card.
    let issuer: String
    let level: ErrorCorrection

    /// The sheet's file names: `sheet.pdf`, then `sheet-2.pdf`, ... for each resumed run.
    static func sheetName(_ number: Int) -> String { number == 1 ? "sheet.pdf" : "sheet-\(number).pdf" }

    /// What is printed for `credential`: every profile field with its Vietnamese label, dates as DD/MM/YYYY.
    func item(_ credential: Credential, payload: String) throws(QRCertError) -> PrintItem {
        let profile = credential.profile
        let code = try QRCode.encode(payload, level: level)
        var fields: [PrintItem.Field] = []
        for (field, value) in credential.values {
            let text: String
            if case .date(let day) = value {
                let iso = day.description.split(separator: "-")
                text = iso.count == 3 ? "\(iso[2])/\(iso[1])/\(iso[0])" : day.description
            } else {
                text = Credential.displayText(value, field)
            }
            fields.append(.init(label: field.label.vi, value: text))
        }
        let date = credential.displayValue(profile.validFrom).map { "\($0)T00:00:00\(profile.utcOffset)" }
        return PrintItem(code: code, id: credential.id, name: Self.name(of: credential), title: profile.name.vi,
                         subtitle: profile.name.en, fields: fields, issuer: issuer, issuerLabel: "Ký số bởi / Signed by",
                         date: date)
    }

    /// A card's or a stamp's document.
    func document(_ credential: Credential, payload: String) throws(QRCertError) -> (bytes: [UInt8], item: PrintItem) {
        let item = try item(credential, payload: payload)
        switch layout {
        case .card: return (try CardRenderer.render(item, format: format, options: options, fonts: fonts), item)
        case .stamp: return (try StampRenderer.render(item, format: format, options: options, fonts: fonts), item)
        case .sheet: throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "a sheet is drawn by the output sink, not per record")
        }
    }

    /// The module size `item` is printed at.
    func moduleSize(_ item: PrintItem) throws(QRCertError) -> Double {
        try ModuleRules.moduleSize(of: item.code, options.size, force: options.force)
    }

    /// The holder's name for captions: the profile's first required text field after the id
    /// (full_name, business_name, owner in the built-in profiles).
    static func name(of credential: Credential) -> String {
        let profile = credential.profile
        guard let field = profile.fields.first(where: { $0.type == .text && $0.required && $0.name != profile.idField }) else { return "" }
        return credential.displayValue(field.name) ?? ""
    }
}

extension OutputFormat {
    /// The print format, for pdf and svg.
    var printFormat: PrintFormat? {
        switch self {
        case .pdf: .pdf
        case .svg: .svg
        case .png, .payload: nil
        }
    }
}

extension PrintOutput {
    /// Said once per run when a module is below `ModuleRules.recommended`.
    static let smallModuleWarning =
        "qrcert: warning: modules below 0.40 mm (GS1's minimum for codes the public scans): test the printed codes with the scanners in use"

    /// A worker's part for one record: a card or stamp drawn and written under its final name, or a sheet's item
    /// made ready for the sink (the symbol encoded here, on the worker).
    /// Like a PNG, a card or stamp is linked only to a free name, or replaces one in a resumed run (`Files.place`).
    func produce(_ credential: Credential, _ result: Issuer.Issued, folder: String, layout files: OutputLayout,
                 replacing: Bool) throws(QRCertError) -> Rendered {
        if layout == .sheet {
            let item = try item(credential, payload: result.payload)
            return Rendered(file: nil, version: item.code.version, bytes: nil, moduleMM: try moduleSize(item), item: item)
        }
        let (bytes, item) = try document(credential, payload: result.payload)
        let name = files.file(for: credential.id)
        try Files.place(bytes, folder: folder, file: name, replacing: replacing)
        return Rendered(file: name, version: item.code.version, bytes: bytes.count, moduleMM: try moduleSize(item))
    }
}

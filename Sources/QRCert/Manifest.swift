import Foundation
import QRCertFormat

/// The schema of an `issue` run's `manifest.jsonl`: one JSON object per issued record, one per line, in input
/// order (docs/BATCH.md "Output folder", docs/PRINT.md). The writer (the CLI's output sink) and `--resume`
/// (which reads it back) both go through `Manifest.Line`, so the two cannot disagree about a field.
public enum Manifest {
    /// The manifest's name in the output folder.
    public static let fileName = "manifest.jsonl"

    /// One manifest line.
    ///
    /// A png run's line is `id, type, cti, file, png_bytes, qr_version, ec, line, payload`; a print run's
    /// (`layout` set) is `id, type, cti, file, bytes, layout, module_um, qr_version, ec, line, payload`, and on a
    /// sheet `page, slot` take the place of `bytes`. Keys are written in that order, compactly, UTF-8 kept as is.
    public struct Line: Sendable, Equatable {
        /// The record's id.
        public var id: String
        /// The profile's credential type.
        public var type: String
        /// The certificate id (`cti`), in hex.
        public var cti: String
        /// The output file's path inside the output folder (a sheet's name on a sheet).
        public var file: String?
        /// A png run: the PNG's size.
        public var pngBytes: Int?
        /// A card or stamp: the file's size.
        public var bytes: Int?
        /// A sheet: the page and the slot on it.
        public var page: Int?
        /// See `page`.
        public var slot: Int?
        /// A print run's layout (card, sheet, stamp); nil for a png run.
        public var layout: String?
        /// A print run: the module size printed, in micrometres.
        public var moduleMicrometres: Int?
        /// The QR code's version.
        public var qrVersion: Int?
        /// The QR error-correction level (L, M, Q, H).
        public var ec: String
        /// The record's line in its input.
        public var line: Int
        /// The signed payload (the QR text).
        public var payload: String

        /// A line with every field given.
        public init(id: String, type: String, cti: String, file: String?, pngBytes: Int? = nil, bytes: Int? = nil,
                    page: Int? = nil, slot: Int? = nil, layout: String? = nil, moduleMicrometres: Int? = nil,
                    qrVersion: Int?, ec: String, line: Int, payload: String) {
            self.id = id
            self.type = type
            self.cti = cti
            self.file = file
            self.pngBytes = pngBytes
            self.bytes = bytes
            self.page = page
            self.slot = slot
            self.layout = layout
            self.moduleMicrometres = moduleMicrometres
            self.qrVersion = qrVersion
            self.ec = ec
            self.line = line
            self.payload = payload
        }

        /// Whether the line places its record on a shared sheet rather than in a file of its own.
        public var onSheet: Bool { page != nil && slot != nil }

        /// The size of the record's own file (PNG, card or stamp); nil on a sheet.
        public var fileBytes: Int? { pngBytes ?? bytes }

        /// The line as written, without its newline.
        public var encoded: String {
            var out = "{"
            var first = true
            func key(_ name: String) {
                if !first { out += "," }
                first = false
                out += JSONString.quoted(name)
                out += ":"
            }
            func string(_ name: String, _ value: String?) {
                key(name)
                out += value.map(JSONString.quoted) ?? "null"
            }
            func number(_ name: String, _ value: Int?) {
                key(name)
                out += value.map { String($0) } ?? "null"
            }
            string("id", id)
            string("type", type)
            string("cti", cti)
            string("file", file)
            if let layout {
                if let page, let slot {
                    number("page", page)
                    number("slot", slot)
                } else {
                    number("bytes", bytes)
                }
                string("layout", layout)
                number("module_um", moduleMicrometres)
            } else {
                number("png_bytes", pngBytes)
            }
            number("qr_version", qrVersion)
            string("ec", ec)
            number("line", line)
            string("payload", payload)
            return out + "}"
        }
    }

    /// Reads back line `number` of the manifest at `path`, which a resumed run of the kind `sheet` says is about
    /// to walk: it must be a JSON object with every field `issue` writes, a file size unless the run is a sheet
    /// run, and a file name inside the output folder (relative, no `..`); else `RESUME_BAD_MANIFEST`.
    public static func decode(_ bytes: [UInt8], number: Int, path: String, sheet: Bool) throws(QRCertError) -> Line {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        guard let object, let id = object["id"] as? String, let type = object["type"] as? String,
              let cti = object["cti"] as? String, let file = object["file"] as? String,
              let ec = object["ec"] as? String, let lineNumber = object["line"] as? Int,
              let payload = object["payload"] as? String,
              !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
            throw bad(number: number, path: path, sheet: sheet)
        }
        let line = Line(id: id, type: type, cti: cti, file: file, pngBytes: object["png_bytes"] as? Int,
                        bytes: object["bytes"] as? Int, page: object["page"] as? Int, slot: object["slot"] as? Int,
                        layout: object["layout"] as? String, moduleMicrometres: object["module_um"] as? Int,
                        qrVersion: object["qr_version"] as? Int, ec: ec, line: lineNumber, payload: payload)
        guard line.fileBytes != nil || sheet else { throw bad(number: number, path: path, sheet: sheet) }
        return line
    }

    private static func bad(number: Int, path: String, sheet: Bool) -> QRCertError {
        QRCertError(.io, "RESUME_BAD_MANIFEST", "\(path):\(number): not a manifest line of a \(sheet ? "sheet" : "png") run",
                    hint: "the folder holds something else: issue into a new folder")
    }

    /// The id of a rejects.jsonl line (one JSON object) whose code is a production fault
    /// (`BatchIssue.isRecordFault`): a record an earlier run rejected while producing it, so never in its
    /// manifest, which a resumed run tries again. Nil for any other line, or one that does not parse.
    public static func producedReject(_ bytes: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let code = object["code"] as? String, BatchIssue.isRecordFault(code: code) else { return nil }
        return object["id"] as? String
    }
}

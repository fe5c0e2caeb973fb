import Foundation
import QRCertFormat
import QRCertImage
import QRCertPrint
import XCTest

/// External tools the print tests check against (poppler, zbar, librsvg), run as processes.
enum Tools {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `program` (through PATH) with `arguments`.
    static func run(_ program: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: data, stderr: String(decoding: errors, as: UTF8.self))
    }

    /// A fresh folder removed when `test` ends.
    static func folder(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-print-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// `pdftoppm -r DPI -gray -png`: one PNG per page, in page order.
    static func rasterise(_ pdf: URL, dpi: Int, into folder: URL, prefix: String = "page") throws -> [URL] {
        let base = folder.appendingPathComponent("\(prefix)-\(dpi)")
        let result = try run("pdftoppm", ["-r", "\(dpi)", "-gray", "-png", pdf.path, base.path])
        XCTAssertEqual(result.status, 0, "pdftoppm: \(result.stderr)")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("\(prefix)-\(dpi)-") && $0.pathExtension == "png" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// What zbarimg (QR only) reads from `image`, one text per code.
    static func zbar(_ image: URL) throws -> [String] {
        let result = try run("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", image.path])
        XCTAssertEqual(result.status, 0, "zbarimg \(image.lastPathComponent): \(result.stderr)")
        var lines = result.text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `pdftotext -layout`-free text of a PDF, whitespace runs (line breaks of wrapped text) made single spaces.
    static func text(_ pdf: URL) throws -> String {
        let result = try run("pdftotext", ["-enc", "UTF-8", pdf.path, "-"])
        XCTAssertEqual(result.status, 0, "pdftotext: \(result.stderr)")
        return result.text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The page size in points pdfinfo reports, e.g. (242.65, 153.01).
    static func pageSize(_ pdf: URL) throws -> (Double, Double) {
        let result = try run("pdfinfo", [pdf.path])
        let line = try XCTUnwrap(result.text.components(separatedBy: "\n").first { $0.hasPrefix("Page size:") })
        let numbers = line.split(separator: " ").compactMap { Double($0) }
        XCTAssertGreaterThanOrEqual(numbers.count, 2, line)
        return (numbers[0], numbers[1])
    }
}

/// A licence as the CLI would print it, with a signed-looking payload of realistic length.
enum Samples {
    static let names = ["Tôn Nữ Gia Lộc", "QUÁCH DIỆU MAI HUYỀN", "Nguyễn Thị Ánh Tuyết", "Đặng Văn Hưởng"]
    static let addresses = ["252 Xuân Thủy, Phường Dịch Vọng, Hà Nội",
                            "Số 276, Ngõ 60 Cầu Giấy, Phường Dịch Vọng, Quận Cầu Giấy, Hà Nội",
                            "149 Nguyễn Tất Thành, Phường Hòa Thọ Đông, Quận Cẩm Lệ, TP. Đà Nẵng",
                            "Thôn Phú Sơn, Xã Hòa Khương, Huyện Hòa Vang, TP. Đà Nẵng"]

    /// A Base45-alphabet payload of `length` characters, different for each `index`.
    static func payload(_ index: Int, length: Int = 380) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
        var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
        var text = "QC1:"
        while text.count < length {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text.append(alphabet[Int(state >> 33) % alphabet.count])
        }
        return text
    }

    static func item(_ index: Int, level: ErrorCorrection = .Q, length: Int = 380) throws -> PrintItem {
        let name = names[index % names.count], address = addresses[index % addresses.count]
        let id = String(format: "0481%08d", 1000 + index)
        return PrintItem(
            code: try QRCode.encode(payload(index, length: length), level: level), id: id, name: name,
            title: "Giấy phép lái xe", subtitle: "Driving licence",
            fields: [.init(label: "Số GPLX", value: id), .init(label: "Họ và tên", value: name),
                     .init(label: "Giới tính", value: "Nữ"), .init(label: "Ngày sinh", value: "06/09/1961"),
                     .init(label: "Hạng", value: "B"), .init(label: "Ngày cấp", value: "27/06/2025"),
                     .init(label: "Có giá trị đến", value: "27/06/2035"),
                     .init(label: "Nơi cấp", value: "Phòng CSGT Công an TP. Đà Nẵng"),
                     .init(label: "Quốc tịch", value: "VNM"), .init(label: "Nơi cư trú", value: address)],
            issuer: "Phòng CSGT Công an TP. Đà Nẵng", issuerLabel: "Ký số bởi / Signed by",
            date: "2025-06-27T00:00:00+07:00")
    }
}

/// An 8-bit grey bitmap read from the PGM that `pdftoppm -gray` writes (P5: a header, then one byte a pixel).
struct Bitmap {
    let width: Int, height: Int
    let pixels: [UInt8]

    /// `pdftoppm -r DPI -gray` of page `page` of `pdf`.
    static func render(_ pdf: URL, page: Int = 1, dpi: Int, in folder: URL) throws -> Bitmap {
        let base = folder.appendingPathComponent("bitmap-\(dpi)-\(page)-\(UUID().uuidString)")
        let result = try Tools.run("pdftoppm", ["-r", "\(dpi)", "-gray", "-f", "\(page)", "-l", "\(page)", "-singlefile", pdf.path, base.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Bitmap(pgm: Data(contentsOf: base.appendingPathExtension("pgm")))
    }

    init(pgm: Data) throws {
        let bytes = [UInt8](pgm)
        var fields: [String] = [], index = 0
        while fields.count < 4 {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] != 0x20 && bytes[index] != 0x0A { index += 1 }
            fields.append(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        index += 1
        guard fields[0] == "P5", let w = Int(fields[1]), let h = Int(fields[2]), bytes.count - index == w * h else {
            throw NSError(domain: "pgm", code: 1, userInfo: [NSLocalizedDescriptionKey: "not an 8-bit PGM: \(fields)"])
        }
        width = w
        height = h
        pixels = Array(bytes[index...])
    }

    subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    /// The smallest box holding every pixel darker than mid-grey inside `region` (pixels), or nil.
    func darkBox(in region: (x0: Int, y0: Int, x1: Int, y1: Int)) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        var box: (Int, Int, Int, Int)?
        for y in max(0, region.y0)..<min(height, region.y1) {
            for x in max(0, region.x0)..<min(width, region.x1) where self[x, y] < 128 {
                if let b = box { box = (min(b.0, x), min(b.1, y), max(b.2, x + 1), max(b.3, y + 1)) } else { box = (x, y, x + 1, y + 1) }
            }
        }
        return box.map { (x0: $0.0, y0: $0.1, x1: $0.2, y1: $0.3) }
    }

    /// Whether every pixel in `region` is light (no ink).
    func isBlank(_ region: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Bool {
        for y in max(0, region.y0)..<min(height, region.y1) {
            for x in max(0, region.x0)..<min(width, region.x1) where self[x, y] < 200 { return false }
        }
        return true
    }
}

extension Data {
    /// Whether `needle`'s UTF-8 bytes occur as they are (no Unicode normalisation, unlike String comparison).
    func containsUTF8(_ needle: String) -> Bool { range(of: Data(needle.utf8)) != nil }
}

/// mm -> pixels at `dpi`.
func px(_ mm: Double, _ dpi: Int) -> Double { mm * Double(dpi) / 25.4 }

/// A one-page A4 PDF whose page content is `stream` (PDF operators), written here so that the "result document"
/// under a stamp comes from neither cairo nor qrcert. qpdf checks its structure when it reads it.
func resultDocument(_ stream: String) -> Data {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.276 841.89] /Contents 4 0 R /Resources << >> >>",
        "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
    ]
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (index, object) in objects.enumerated() {
        offsets.append(out.utf8.count)
        out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(out.utf8)
}

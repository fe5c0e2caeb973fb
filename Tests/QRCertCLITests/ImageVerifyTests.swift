import Foundation
import XCTest

/// `qrcert verify --image` as a process: every code of every image answered with its file and position,
/// exactly as its payload text would be; no code, unreadable and unsupported files answered with their codes.
final class ImageVerifyTests: XCTestCase {
    /// The fixture records issued once as PNGs with the TEST-ONLY ES256 key.
    struct Issued: Sendable {
        let folder: URL
        /// (png path, manifest line) per record, in input order, for every profile.
        let licences: [(png: String, entry: [String: String])]

        static func make() throws -> Issued {
            let folder = try CLI.makeTemporaryDirectory()
            let key = try CLI.key("es256", in: folder)
            var licences: [(String, [String: String])] = []
            for (profile, records) in [("driving-licence", "driving-licences.csv"), ("transport-permit", "transport-permits.csv"),
                                       ("construction-permit", "construction-permits.csv")] {
                let out = folder.appendingPathComponent(profile)
                let result = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", profile,
                                          "--out", out.path, CLI.fixture("records/\(records)").path])
                guard result.status == 0 else { throw CLIFailure(result.stderr) }
                let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
                for object in try CLI.jsonObjects(manifest) {
                    let entry = object.compactMapValues { $0 as? String }
                    licences.append((out.appendingPathComponent(entry["file"] ?? "?").path, entry))
                }
            }
            return Issued(folder: folder, licences: licences)
        }
    }

    struct CLIFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    static let shared: Result<Issued, any Error> = Result { try Issued.make() }

    override class func tearDown() {
        if case .success(let issued) = shared { try? FileManager.default.removeItem(at: issued.folder) }
        super.tearDown()
    }

    private var issued: Issued { get throws { try Self.shared.get() } }
    private let at = "2026-03-01T09:00:00+07:00"
    private var verify: [String] { ["verify", "--trust", CLI.publicKey("es256"), "--at", at] }

    private func pngSide(_ path: String) throws -> Int {
        let head = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)).prefix(24))
        return head[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }

    /// `convert ARGUMENTS`, which must succeed.
    private func convert(_ arguments: [String]) throws {
        let result = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["convert"] + arguments, stdin: nil)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// All 360 fixture PNGs (licences, transport and construction permits): one answer each, at the centre
    /// of the image, equal field for field to the answer for the manifest's payload text.
    func testEveryFixturePNGIsAnsweredLikeItsPayload() throws {
        let licences = try issued.licences
        XCTAssertEqual(licences.count, 360)
        let images = try CLI.run(verify + ["--json", "--image"] + licences.map(\.png))
        let texts = try CLI.run(verify + ["--json", "-"], stdin: licences.map { $0.entry["payload"] ?? "" }.joined(separator: "\n"))
        XCTAssertEqual(images.stderr, "")
        XCTAssertEqual(images.status, texts.status)
        let fromImages = try CLI.jsonObjects(images.stdout), fromTexts = try CLI.jsonObjects(texts.stdout)
        XCTAssertEqual(fromImages.count, 360)
        XCTAssertEqual(fromTexts.count, 360)
        var valid = 0
        for ((png, entry), (image, text)) in zip(licences, zip(fromImages, fromTexts)) {
            XCTAssertEqual(image["file"] as? String, png)
            let centre = try pngSide(png) / 2
            for axis in ["x", "y"] {
                let value = try XCTUnwrap(image[axis] as? Int, "\(png): \(axis)")
                XCTAssertLessThanOrEqual(abs(value - centre), 2, "\(png): \(axis) \(value), centre \(centre)")
            }
            var stripped = image
            for key in ["file", "x", "y"] { stripped.removeValue(forKey: key) }
            XCTAssertEqual(NSDictionary(dictionary: stripped), NSDictionary(dictionary: text), png)
            XCTAssertEqual(image["id"] as? String, entry["id"])
            XCTAssertEqual(image["cti"] as? String, entry["cti"])
            XCTAssertEqual(image["signature_verified"] as? Bool, true, png)
            if image["valid"] as? Bool == true { valid += 1 }
        }
        // The fixtures span 1978-2035: some are expired (or lapsed) on 2026-03-01, and the exit status says so.
        XCTAssertGreaterThan(valid, 200)
        XCTAssertEqual(images.status, valid == 360 ? 0 : 1)
    }

    /// The EU DCC suite's QR images (foreign issuers, foreign encoders): each answered exactly as its
    /// `PREFIX` text is, every suite certificate trusted. (Q1's "PNG" is not an image: IMG_UNSUPPORTED.)
    func testDCCSuiteImagesAreAnsweredLikeTheirText() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let certificates = folder.appendingPathComponent("certificates")
        try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
        let suite = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/conformance/dgc-testdata")
        let names = try XCTUnwrap(FileManager.default.enumerator(atPath: suite.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") }.sorted()
        var images: [String] = [], texts: [String] = []
        for name in names {
            let data = try Data(contentsOf: suite.appendingPathComponent(name))
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let flat = name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".json", with: "")
            if let context = object["TESTCTX"] as? [String: Any], let certificate = context["CERTIFICATE"] as? String,
               let der = Data(base64Encoded: certificate) {
                try der.write(to: certificates.appendingPathComponent(flat + ".der"))
            }
            guard let code = (object["2DCODE"] ?? object["_2DCODE"]) as? String, let prefix = object["PREFIX"] as? String,
                  let png = Data(base64Encoded: code) else { continue }
            let image = folder.appendingPathComponent(flat + ".png")
            try png.write(to: image)
            images.append(image.path)
            texts.append(prefix)
        }
        XCTAssertEqual(images.count, 103)
        let suiteVerify = ["verify", "--trust", certificates.path, "--at", "2021-06-01", "--json"]
        let fromImages = try CLI.jsonObjects(try CLI.run(suiteVerify + ["--image"] + images).stdout)
        let fromTexts = try CLI.jsonObjects(try CLI.run(suiteVerify + ["-"], stdin: texts.joined(separator: "\n")).stdout)
        XCTAssertEqual(fromImages.count, 103)
        XCTAssertEqual(fromTexts.count, 103)
        var verified = 0
        for ((path, image), text) in zip(zip(images, fromImages), fromTexts) {
            XCTAssertEqual(image["file"] as? String, path)
            if path.hasSuffix("common_2DCode_raw_Q1.png") {
                XCTAssertEqual(image["code"] as? String, "IMG_UNSUPPORTED")
                continue
            }
            var stripped = image
            for key in ["file", "x", "y"] { stripped.removeValue(forKey: key) }
            XCTAssertEqual(NSDictionary(dictionary: stripped), NSDictionary(dictionary: text), path)
            if image["signature_verified"] as? Bool == true { verified += 1 }
        }
        // Every one but the three Latvian payloads signed by a CA certificate (CERT_NOT_SIGNER: docs/CONFORMANCE.md).
        XCTAssertEqual(verified, 99)
    }

    /// A printed sheet of six licences with text around them: six answers in reading order, each at its place,
    /// in words naming the file, the code's number and position.
    func testSheetOfSixLicences() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let six = Array(try issued.licences.filter { $0.entry["type"] == "vn.dl" }.prefix(6))
        let sheet = folder.appendingPathComponent("sheet.png").path
        var arguments = ["-size", "1500x1100", "xc:white"]
        var expected: [(id: String, x: Int, y: Int)] = []
        for (i, licence) in six.enumerated() {
            let (left, top) = (40 + (i % 3) * 480, 60 + (i / 3) * 520)
            arguments += [licence.png, "-geometry", "+\(left)+\(top)", "-composite"]
            let half = try pngSide(licence.png) / 2
            expected.append((licence.entry["id"] ?? "?", left + half, top + half))
        }
        arguments += ["-fill", "black", "-draw", "rectangle 40,1040 1400,1060", "-colorspace", "Gray", sheet]
        try convert(arguments)

        let json = try CLI.run(verify + ["--json", "--image", sheet])
        let answers = try CLI.jsonObjects(json.stdout)
        XCTAssertEqual(answers.map { $0["id"] as? String }, expected.map(\.id))
        for (answer, place) in zip(answers, expected) {
            XCTAssertEqual(answer["file"] as? String, sheet)
            XCTAssertLessThanOrEqual(abs((answer["x"] as? Int ?? -99) - place.x), 2)
            XCTAssertLessThanOrEqual(abs((answer["y"] as? Int ?? -99) - place.y), 2)
        }

        let words = try CLI.run(verify + ["--lang", "en", "--image", sheet])
        XCTAssertEqual(words.status, json.status)
        let headers = words.lines.filter { $0.hasPrefix(sheet) }
        XCTAssertEqual(headers.count, 6)
        for (i, (header, answer)) in zip(headers, answers).enumerated() {
            XCTAssertEqual(header, "\(sheet): code \(i + 1) of 6 at x \(answer["x"] as? Int ?? -1), y \(answer["y"] as? Int ?? -1)")
        }
        let vietnamese = try CLI.run(verify + ["--lang", "vi", "--image", sheet])
        XCTAssertTrue(vietnamese.stdout.contains("\(sheet): mã 2/6, tại x \(answers[1]["x"] as? Int ?? -1), y \(answers[1]["y"] as? Int ?? -1)"),
                      vietnamese.stdout)
    }

    /// A photo of one licence, tilted, soft, shadowed and saved as a JPEG: zbarimg reads nothing, qrcert VALID.
    func testPhotoOfALicenceThatZbarimgCannotRead() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let licence = try XCTUnwrap(try issued.licences.first)
        let side = try pngSide(licence.png)
        let photo = folder.appendingPathComponent("photo.jpg").path
        // The left edge 20% shorter and 6% nearer: a camera tilted to the left.
        let (ix, iy) = (side * 6 / 100, side * 10 / 100)
        try convert(["-seed", "3", licence.png, "-virtual-pixel", "white", "-distort", "Perspective",
                     "0,0 \(ix),\(iy)  \(side),0 \(side),0  \(side),\(side) \(side),\(side)  0,\(side) \(ix),\(side - iy)",
                     "-blur", "0x1", "-attenuate", "0.6", "+noise", "Gaussian", "-colorspace", "Gray", "-quality", "50", photo])
        // zbarimg exits 4 when it finds no code.
        let zbarimg = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", photo], stdin: nil)
        XCTAssertEqual(zbarimg.status, 4)
        XCTAssertEqual(zbarimg.stdout, "")
        let result = try CLI.run(verify + ["--json", "--image", photo])
        let answers = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(answers.count, 1)
        XCTAssertEqual(answers.first?["id"] as? String, licence.entry["id"])
        XCTAssertEqual(answers.first?["signature_verified"] as? Bool, true)
    }

    /// No readable code: a blank page and a noisy photo of nothing are each answered IMG_NO_CODE (exit 1).
    func testImagesWithoutACodeAreAnsweredNoCode() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let blank = folder.appendingPathComponent("blank.png").path, desk = folder.appendingPathComponent("desk.jpg").path
        // Small: every retry runs on an image with no code, in the debug build the tests use.
        try convert(["-size", "160x120", "xc:white", blank])
        try convert(["-seed", "5", "-size", "200x150", "plasma:gray40-gray70", "-colorspace", "Gray", "-quality", "60", desk])

        let json = try CLI.run(verify + ["--json", "--image", blank, desk])
        XCTAssertEqual(json.status, 1)
        XCTAssertEqual(json.stderr, "")
        let answers = try CLI.jsonObjects(json.stdout)
        XCTAssertEqual(answers.count, 2)
        for (answer, file) in zip(answers, [blank, desk]) {
            XCTAssertEqual(answer["valid"] as? Bool, false)
            XCTAssertEqual(answer["stage"] as? String, "image")
            XCTAssertEqual(answer["code"] as? String, "IMG_NO_CODE")
            XCTAssertEqual(answer["message"] as? String, "\(file): no readable qr code in the image")
            XCTAssertEqual(answer["reason"] as? String, "No readable QR code in this image")
            XCTAssertEqual(answer["file"] as? String, file)
            XCTAssertTrue(answer["x"] is NSNull)
            XCTAssertTrue(answer["y"] is NSNull)
            XCTAssertEqual(answer["signature_verified"] as? Bool, false)
        }

        let words = try CLI.run(verify + ["--lang", "en", "--image", blank])
        XCTAssertEqual(words.status, 1)
        XCTAssertEqual(words.lines, [
            blank,
            " ? NO CODE READ ",
            "  No readable QR code in this image",
            "  image: \(blank): no readable qr code in the image [IMG_NO_CODE]",
            "  photograph the code flat, filling a third of the picture, in even light, without glare",
            "",
        ])
        let vietnamese = try CLI.run(verify + ["--lang", "vi", "--image", blank])
        XCTAssertEqual(Array(vietnamese.lines.prefix(3)), [blank, " ? KHÔNG ĐỌC ĐƯỢC MÃ ", "  Không tìm thấy mã QR đọc được trong ảnh này"])
    }

    /// A missing file (exit 2: nothing could be checked), a text file and a cut PNG, among good images:
    /// each answered in argument order with its code, the good ones still verified.
    func testUnreadableAndUnsupportedFiles() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let good = try issued.licences[0].png
        let notes = folder.appendingPathComponent("notes.txt").path, cut = folder.appendingPathComponent("cut.png").path
        let missing = folder.appendingPathComponent("missing.jpg").path
        try Data("not a picture\n".utf8).write(to: URL(fileURLWithPath: notes))
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: good))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))

        let result = try CLI.run(verify + ["--json", "--image", notes, good, cut, missing, good])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "")
        let answers = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(answers.map { $0["file"] as? String }, [notes, good, cut, missing, good])
        XCTAssertEqual(answers.map { $0["code"] as? String }, ["IMG_UNSUPPORTED", nil, "IMG_BAD_DATA", "IO_READ", nil])
        XCTAssertEqual(answers[0]["message"] as? String, "\(notes): image is neither png nor jpeg")
        XCTAssertEqual(answers[3]["message"] as? String, "image \(missing) does not exist")
        XCTAssertEqual(answers[3]["stage"] as? String, "io")
        XCTAssertTrue((answers[2]["message"] as? String ?? "").hasPrefix("\(cut): corrupt png image: "))

        // Without the missing file nothing is left that could not run: rejected, exit 1.
        XCTAssertEqual(try CLI.run(verify + ["--json", "--image", notes, good]).status, 1)
        XCTAssertEqual(try CLI.run(verify + ["--json", "--image", good]).status, 0)
    }

    /// `--image -` reads one image from stdin.
    func testImageFromStandardInput() throws {
        let licence = try issued.licences[0]
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: licence.png))
        let binary = try XCTUnwrap(CLI.binary)
        let result = try CLI.runProgram(binary, verify + ["--json", "--image", "-"], stdin: bytes)
        let answers = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(answers.count, 1)
        XCTAssertEqual(answers.first?["file"] as? String, "-")
        XCTAssertEqual(answers.first?["id"] as? String, licence.entry["id"])
    }

    /// A QR code that is not a certificate (a web address) is answered INVALID with PREFIX_UNKNOWN at its place.
    func testForeignQRCodeOnTheSameSheet() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let url = folder.appendingPathComponent("url.png").path, sheet = folder.appendingPathComponent("sheet.png").path
        let qrencode = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["qrencode", "-s", "4", "-o", url, "https://example.org/x"],
                                          stdin: nil)
        XCTAssertEqual(qrencode.status, 0, qrencode.stderr)
        try convert(["-size", "900x500", "xc:white", url, "-geometry", "+40+40", "-composite",
                     try issued.licences[1].png, "-geometry", "+450+60", "-composite", "-colorspace", "Gray", sheet])
        let answers = try CLI.jsonObjects(try CLI.run(verify + ["--json", "--image", sheet]).stdout)
        XCTAssertEqual(answers.map { $0["code"] as? String }.first, "PREFIX_UNKNOWN")
        XCTAssertEqual(answers.map { $0["signature_verified"] as? Bool }, [false, true])
        XCTAssertEqual(answers.map { $0["id"] as? String }, [nil, try issued.licences[1].entry["id"]])
    }

    /// Payload arguments and --image files cannot be mixed.
    func testPayloadsAndImagesTogetherAreAUsageError() throws {
        let result = try CLI.run(verify + ["--image", try issued.licences[0].png, "--json", "QC1:X"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init),
                       "qrcert: error: give either payloads or --image files, not both (put every image file after --image) [USAGE]")
    }
}

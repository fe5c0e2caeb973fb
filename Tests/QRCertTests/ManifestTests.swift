import XCTest
@testable import QRCert
import QRCertFormat

/// The manifest's schema: what `issue` writes (byte for byte, as docs/BATCH.md and docs/PRINT.md list the keys)
/// and what `--resume` accepts back.
final class ManifestTests: XCTestCase {
    private let png = Manifest.Line(id: "079200000001", type: "vn.dl", cti: "0011223344556677", file: "ab/079200000001.png",
                                    pngBytes: 1234, qrVersion: 10, ec: "Q", line: 2, payload: "QC1:NCF\"\\\n\t\u{202E}x")
    private let card = Manifest.Line(id: "Lê Văn", type: "vn.dl", cti: "8899aabbccddeeff", file: "Lê Văn.pdf", bytes: 20480,
                                     layout: "card", moduleMicrometres: 500, qrVersion: 12, ec: "M", line: 3, payload: "QC1:X")
    private let sheet = Manifest.Line(id: "079200000002", type: "vn.dl", cti: "0011223344556677", file: "sheet-2.pdf",
                                      page: 1, slot: 7, layout: "sheet", moduleMicrometres: nil, qrVersion: 9, ec: "Q", line: 4,
                                      payload: "QC1:Y")

    func testEncodesTodaysKeysInOrder() {
        XCTAssertEqual(png.encoded,
                       #"{"id":"079200000001","type":"vn.dl","cti":"0011223344556677","file":"ab/079200000001.png","png_bytes":1234,"qr_version":10,"ec":"Q","line":2,"payload":"QC1:NCF\"\\\n\t\u202ex"}"#)
        XCTAssertEqual(card.encoded,
                       #"{"id":"Lê Văn","type":"vn.dl","cti":"8899aabbccddeeff","file":"Lê Văn.pdf","bytes":20480,"layout":"card","module_um":500,"qr_version":12,"ec":"M","line":3,"payload":"QC1:X"}"#)
        XCTAssertEqual(sheet.encoded,
                       #"{"id":"079200000002","type":"vn.dl","cti":"0011223344556677","file":"sheet-2.pdf","page":1,"slot":7,"layout":"sheet","module_um":null,"qr_version":9,"ec":"Q","line":4,"payload":"QC1:Y"}"#)
    }

    func testRoundTrip() throws {
        for line in [png, card] {
            XCTAssertEqual(try Manifest.decode(Array(line.encoded.utf8), number: 1, path: "out/manifest.jsonl", sheet: false), line)
        }
        XCTAssertEqual(try Manifest.decode(Array(sheet.encoded.utf8), number: 1, path: "out/manifest.jsonl", sheet: true), sheet)
        XCTAssertEqual(png.fileBytes, 1234)
        XCTAssertEqual(card.fileBytes, 20480)
        XCTAssertNil(sheet.fileBytes)
        XCTAssertTrue(sheet.onSheet)
    }

    func testRefusesWhatIssueNeverWrites() {
        var escaped = png
        escaped.file = "../../escaped.png"
        var absolute = png
        absolute.file = "/tmp/escaped.png"
        let untyped = png.encoded.replacingOccurrences(of: #""type":"vn.dl","#, with: "")
        let textLine = png.encoded.replacingOccurrences(of: #""line":2"#, with: #""line":"2""#)
        for (name, text) in [("escape", escaped.encoded), ("absolute", absolute.encoded), ("untyped", untyped),
                             ("line as text", textLine), ("not JSON", "{\"id\":"), ("array", "[]"),
                             ("a sheet line in a png run", sheet.encoded)] {
            XCTAssertThrowsError(try Manifest.decode(Array(text.utf8), number: 5, path: "out/manifest.jsonl", sheet: false), name) { error in
                XCTAssertEqual((error as? QRCertError)?.code, "RESUME_BAD_MANIFEST", name)
                XCTAssertEqual((error as? QRCertError)?.message, "out/manifest.jsonl:5: not a manifest line of a png run", name)
            }
        }
        XCTAssertThrowsError(try Manifest.decode(Array("{}".utf8), number: 1, path: "m", sheet: true)) { error in
            XCTAssertEqual((error as? QRCertError)?.message, "m:1: not a manifest line of a sheet run")
        }
    }

    func testProducedRejects() {
        XCTAssertEqual(Manifest.producedReject(Array(#"{"source":"a.csv","line":3,"field":null,"id":"X1","code":"IMG_TOO_LONG","message":"m"}"#.utf8)), "X1")
        XCTAssertEqual(Manifest.producedReject(Array(#"{"id":"X2","code":"OUT_NAME_TAKEN"}"#.utf8)), "X2")
        XCTAssertNil(Manifest.producedReject(Array(#"{"id":"X3","code":"REC_BAD_DATE"}"#.utf8)))
        XCTAssertNil(Manifest.producedReject(Array("not json".utf8)))
    }
}

import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertImage
import QRCertIO
import XCTest

/// `issue`'s file side in process: `RecordOutput` (each PNG placed under its name), `OutputSink` (manifest and
/// rejects lines), `EarlierRun` (a resume that finds everything issued), `BatchIssue.check` (`--strict`'s pass),
/// and the small readers and writers `issue`, `keygen` and `revoke` share.
final class IssueOutputTests: XCTestCase {
    static func batch() throws -> BatchIssue {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: IOFixtures.path("keys/TEST-ONLY-ed25519.key.pem"))), as: UTF8.self)
        let issuer = try Issuer(key: try PrivateKey.pem(text, passphrase: nil), name: "Phòng CSGT Công an TP. Đà Nẵng")
        return BatchIssue(profile: try ProfileLoader.load("driving-licence"), issuer: issuer, jobs: 2)
    }

    func testRunWritesPNGsManifestAndRejectsAndAResumeSkipsThem() throws {
        let folder = try IOFixtures.folder("issue")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path, input = IOFixtures.path("bad/bad-date.csv")
        let batch = try Self.batch()
        var records = try RecordInput.open(input, format: nil)
        XCTAssertEqual(records.source, input)
        let output = RecordOutput(format: .png, folder: out, layout: OutputLayout(shard: 0), png: PNGOptions(), level: .Q,
                                  printer: nil, replacing: false)
        let sink = try OutputSink(format: .png, level: .Q, folder: out)
        try batch.run(&records.reader, producing: output, into: sink)
        try sink.close()

        let manifest = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.jsonl"))
        let lines = manifest.split(separator: 0x0A).enumerated().map { ($0.offset + 1, Array($0.element)) }
        XCTAssertEqual(lines.count, 2)
        for (number, bytes) in lines {
            let line = try Manifest.decode(bytes, number: number, path: "manifest.jsonl", sheet: false)
            let file = try XCTUnwrap(line.file)
            XCTAssertEqual(file, line.id + ".png")
            let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + file)))
            XCTAssertEqual(line.pngBytes, png.count)
            XCTAssertEqual(try QRDecoder.decode(imageBytes: png).map(\.text), [line.payload])
        }
        let rejects = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/rejects.jsonl")), as: UTF8.self)
        XCTAssertEqual(rejects, #"{"source":"\#(input)","line":3,"field":"date_of_birth","id":"079200000003","code":"REC_BAD_DATE","message":"\"1991-02-30\" is not a date of the form YYYY-MM-DD"}"# + "\n")

        // `--strict`'s first pass finds the same bad row, signing nothing.
        var again = try RecordInput.open(input, format: nil)
        XCTAssertEqual(try batch.check(&again.reader).map { "\($0.line) \($0.error.code)" }, ["3 REC_BAD_DATE"])

        // A resume finds both records issued, redraws nothing, and leaves the manifest as it was.
        let earlier = try EarlierRun(folder: out, issuer: batch.issuer, ec: "Q")
        XCTAssertEqual(earlier.completeLength, manifest.count)
        let resumed = try OutputSink(format: .png, level: .Q, folder: out, earlier: earlier)
        var skipped = 0
        var third = try RecordInput.open(input, format: nil)
        try batch.run(&third.reader, producing: RecordOutput(format: .png, folder: out, layout: OutputLayout(shard: 0), png: PNGOptions(),
                                                             level: .Q, printer: nil, replacing: true),
                      into: resumed, resuming: earlier.walk, observe: { if case .skipped = $0 { skipped += 1 } })
        try resumed.close()
        XCTAssertEqual(skipped, 2)
        XCTAssertEqual(earlier.walk.redrawn, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.jsonl")), manifest)
        XCTAssertEqual(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/rejects.jsonl")), as: UTF8.self), rejects)
        // A fresh run into the same folder refuses to mix into the earlier one.
        XCTAssertThrowsError(try OutputSink(format: .png, level: .Q, folder: out)) { XCTAssertEqual(($0 as? QRCertError)?.code, "IO_EXISTS") }
    }

    func testOutputNames() {
        XCTAssertEqual(OutputLayout(shard: 0).file(for: "dn-001"), "dn-001.png")
        XCTAssertEqual(OutputLayout(shard: 2, fileExtension: "pdf").file(for: "dn-001").split(separator: "/").last, "dn-001.pdf")
        XCTAssertTrue(Files.safeName("DN-001").hasPrefix("DN-001~"))
        XCTAssertEqual(Files.safeName("a/b"), "a%2Fb")
    }

    func testKeyFilesAreWrittenOnceWithPrivateMode() throws {
        let folder = try IOFixtures.folder("keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = folder.appendingPathComponent("sub/demo").path
        let files = try KeyFiles(base)
        let key = try PrivateKey.generate(.edDSA)
        try files.write(key, passphrase: nil)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: files.privatePath)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600)
        let loaded = try PrivateKeyFile.load(files.privatePath, passphrase: { nil }, ask: nil)
        XCTAssertEqual(loaded.publicKey.keyID, key.publicKey.keyID)
        XCTAssertEqual(try PublicKeyFile.read(files.publicPath, what: "key").keyID, key.publicKey.keyID)
        XCTAssertThrowsError(try KeyFiles(base)) { XCTAssertEqual(($0 as? QRCertError)?.code, "IO_EXISTS") }
        // An encrypted key: without a passphrase and no one to ask it is refused; a prompt's answer opens it.
        let encrypted = folder.appendingPathComponent("encrypted.key.pem").path
        try Files.createExclusive(encrypted, bytes: Array(try key.pemText(passphrase: Array("sesame".utf8)).utf8), mode: 0o600)
        XCTAssertEqual(try PrivateKeyFile.load(encrypted, passphrase: { nil }, ask: { Array("sesame".utf8) }).publicKey.keyID, key.publicKey.keyID)
        XCTAssertThrowsError(try PrivateKeyFile.load(encrypted, passphrase: { nil }, ask: nil)) {
            XCTAssertEqual(($0 as? QRCertError)?.code, "KEY_PASSPHRASE_REQUIRED")
            XCTAssertEqual(($0 as? QRCertError)?.hint, "give it with --passphrase-file or --passphrase-env")
        }
    }

    func testCertificateIDLines() throws {
        let ids = try CertificateIDs.lines(Array("5f1c0a9e3b7d2468\r\n\n{\"cti\":\"0011223344556677\"}\n".utf8), file: "ctis.txt")
        XCTAssertEqual(ids.map(Hex.encode), ["5f1c0a9e3b7d2468", "0011223344556677"])
        XCTAssertEqual(Hex.encode(try CertificateIDs.parse(VerdictRendererTests.vector, where: "--payload")), "1e4ad98264c2dcb1")
        XCTAssertThrowsError(try CertificateIDs.lines(Array("abc\n".utf8), file: "ctis.txt")) {
            XCTAssertEqual(($0 as? QRCertError)?.code, "RL_BAD_ENTRY")
            XCTAssertEqual(($0 as? QRCertError)?.message, "ctis.txt:1: \"abc\" is not 16 hex digits, a payload or a JSON line with \"cti\"")
        }
    }
}

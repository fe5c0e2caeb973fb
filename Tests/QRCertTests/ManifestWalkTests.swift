import Foundation
@testable import QRCert
import QRCertFormat
import XCTest

/// The `--resume` rules on an output folder held in memory: what is skipped, redrawn, tried again or refused.
final class ManifestWalkTests: XCTestCase {
    /// An output folder in memory; `placed` records what the walk wrote back.
    private final class MemoryFolder: ManifestWalk.Folder {
        var lines: [[UInt8]]
        var files: [String: [UInt8]]
        var placed: [String] = []
        private var next = 0

        init(lines: [String], files: [String: [UInt8]]) {
            self.lines = lines.map { Array($0.utf8) }
            self.files = files
        }

        func nextLine() throws(QRCertError) -> (number: Int, bytes: [UInt8])? {
            guard next < lines.count else { return nil }
            next += 1
            return (next, lines[next - 1])
        }
        func exists(_ file: String) -> Bool { files[file] != nil }
        func size(_ file: String) -> Int? { files[file]?.count }
        func read(_ file: String) throws(QRCertError) -> [UInt8] { files[file] ?? [] }
        func place(_ bytes: [UInt8], file: String) throws(QRCertError) {
            files[file] = bytes
            placed.append(file)
        }
    }

    private var licence: Profile!
    private var issuer: Issuer!

    override func setUpWithError() throws {
        licence = try TestFixtures.profile("driving-licence")
        issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: TestFixtures.issuerName)
    }

    private func credential(_ id: String) throws -> Credential {
        do throws(RejectedRow) {
            return try Credential(row: LicenceRow.make(["licence_no": id]), profile: licence)
        } catch {
            throw error.error
        }
    }

    /// The "image" of a payload: deterministic, so a redraw equals the file the earlier run wrote.
    private static func draw(_ payload: String) -> [UInt8] { Array(("PNG:" + payload).utf8) }

    /// The earlier run's manifest line and file for `credential`, as `issue` writes them.
    private func issued(_ credential: Credential, line: Int) throws -> (line: String, file: String, bytes: [UInt8]) {
        let result = try issuer.issue(credential)
        let image = Self.draw(result.payload)
        let file = credential.id + ".png"
        let text = Manifest.Line(id: credential.id, type: licence.type, cti: Hex.encode(result.certificateID), file: file,
                                 pngBytes: image.count, qrVersion: 10, ec: "Q", line: line, payload: result.payload).encoded
        return (text, file, image)
    }

    private func walk(_ folder: MemoryFolder, issuer: Issuer? = nil, ec: String = "Q", rejects: Set<String> = []) -> ManifestWalk {
        ManifestWalk(folder: folder, manifestPath: "out/manifest.jsonl", issuer: issuer ?? self.issuer, ec: ec, sheet: false,
                     producedRejects: rejects)
    }

    private func skipped(_ walk: ManifestWalk, _ credential: Credential) throws -> Bool {
        try walk.issued(credential, file: credential.id + ".png", draw: { (payload: String) throws(QRCertError) -> [UInt8] in Self.draw(payload) })
    }

    func testSkipsWhatTheManifestHoldsAndRedrawsAMissingFile() throws {
        let a = try credential("048090000001"), b = try credential("048090000002"), c = try credential("048090000003")
        let first = try issued(a, line: 2), second = try issued(b, line: 3)
        let folder = MemoryFolder(lines: [first.line, second.line], files: [first.file: first.bytes])
        let walk = walk(folder)
        XCTAssertTrue(try skipped(walk, a))
        XCTAssertTrue(try skipped(walk, b))
        XCTAssertFalse(try skipped(walk, c))
        XCTAssertNoThrow(try walk.finish())
        XCTAssertEqual(folder.placed, [second.file])
        XCTAssertEqual(folder.files[second.file], second.bytes)
        XCTAssertEqual(walk.redrawn, 1)
    }

    func testAProducedRejectIsTriedAgain() throws {
        let a = try credential("048090000001"), b = try credential("048090000002")
        let second = try issued(b, line: 3)
        let walk = walk(MemoryFolder(lines: [second.line], files: [second.file: second.bytes]), rejects: [a.id])
        XCTAssertFalse(try skipped(walk, a))
        XCTAssertTrue(try skipped(walk, b))
        XCTAssertNoThrow(try walk.finish())
    }

    func testRefusals() throws {
        let a = try credential("048090000001"), b = try credential("048090000002")
        let first = try issued(a, line: 2)
        let files = [first.file: first.bytes]
        assertQRCertError(.io, "RESUME_MISMATCH",
                          message: "out/manifest.jsonl:1: the earlier run issued \(a.id) here, but the input's next record is \(b.id)") {
            try skipped(walk(MemoryFolder(lines: [first.line], files: files)), b)
        }
        assertQRCertError(.io, "RESUME_MISMATCH", message: "out/manifest.jsonl:1: \(a.id) was issued at EC level Q, this run asks for H") {
            try skipped(walk(MemoryFolder(lines: [first.line], files: files), ec: "H"), a)
        }
        // Another issuer name signs other claims: the payload read back is not what this run would sign.
        let other = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: "Sở GTVT Hà Nội")
        assertQRCertError(.io, "RESUME_MISMATCH") { try skipped(walk(MemoryFolder(lines: [first.line], files: files), issuer: other), a) }
        // A file of the right size but other bytes: the first present file is compared.
        assertQRCertError(.io, "RESUME_MISMATCH",
                          message: "out/manifest.jsonl:1: \(first.file) differs from the image of its manifest payload (check --module-size and --margin)") {
            try skipped(walk(MemoryFolder(lines: [first.line], files: [first.file: first.bytes.map { $0 ^ 1 }])), a)
        }
        let unreached = walk(MemoryFolder(lines: [first.line], files: files))
        assertQRCertError(.io, "RESUME_MISMATCH",
                          message: "out/manifest.jsonl:1: the earlier run issued \(a.id), which this input does not hold") {
            try unreached.finish()
        }
        assertQRCertError(.io, "RESUME_BAD_MANIFEST", message: "out/manifest.jsonl:1: not a manifest line of a png run") {
            try skipped(walk(MemoryFolder(lines: ["{}"], files: files)), a)
        }
    }
}

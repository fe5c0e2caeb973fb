import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertFormat

/// `--cti HEX`, `--payload TEXT`, `--from FILE`: the certificate ids a command acts on.
struct CertificateIDChoice: ParsableArguments {
    @Option(help: "Certificate id (cti) in hex, 16 digits; repeatable.")
    var cti: [String] = []

    @Option(help: "A QR payload (QC1:...) whose cti to use; repeatable. Its signature is not checked here.")
    var payload: [String] = []

    @Option(help: "File (- for stdin) with one per line: a cti in hex, a QC1: payload, or a manifest.jsonl line with \"cti\".")
    var from: String?

    /// Every id given, in order: `--cti`, then `--payload`, then the lines of `--from`; USAGE when there is none.
    func collect() throws(QRCertError) -> [[UInt8]] {
        var ids: [[UInt8]] = []
        for text in cti { ids.append(try CertificateIDs.parse(text, where: "--cti")) }
        for text in payload { ids.append(try CertificateIDs.parse(text, where: "--payload")) }
        if let from {
            let bytes: [UInt8]
            if from == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else {
                bytes = try Files.read(from, what: "certificate id file")
            }
            ids += try CertificateIDs.lines(bytes, file: from)
        }
        guard !ids.isEmpty else {
            throw QRCertError(.usage, "USAGE", "no certificate ids", hint: "give --cti HEX, --payload QC1:... or --from FILE")
        }
        return ids
    }
}

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

    func collect() throws(QRCertError) -> [[UInt8]] {
        var ids: [[UInt8]] = []
        for text in cti { ids.append(try Self.parse(text, where: "--cti")) }
        for text in payload { ids.append(try Self.parse(text, where: "--payload")) }
        if let from {
            let bytes: [UInt8]
            if from == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else {
                bytes = try Files.read(from, what: "certificate id file")
            }
            var number = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                // A bare cti (with or without CR) is by far the common line: read it without making a String.
                if let id = Self.hex(line) {
                    ids.append(id)
                    continue
                }
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty { continue }
                ids.append(try Self.parse(text, where: "\(from):\(number)"))
            }
        }
        guard !ids.isEmpty else {
            throw QRCertError(.usage, "USAGE", "no certificate ids", hint: "give --cti HEX, --payload QC1:... or --from FILE")
        }
        return ids
    }

    /// 16 hex digits, optionally followed by CR, as 8 bytes; nil for anything else.
    static func hex(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        let digits = line.last == 0x0D ? line.dropLast() : line
        guard digits.count == 16 else { return nil }
        return Hex.decode(String(decoding: digits, as: UTF8.self))
    }

    /// A cti from hex, a payload's claims, or a JSON line's `cti`.
    static func parse(_ text: String, where place: String) throws(QRCertError) -> [UInt8] {
        if text.utf8.count == 16, let bytes = Hex.decode(text) { return bytes }
        if text.hasPrefix("{") {
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let value = object["cti"] as? String,
               let bytes = Hex.decode(value), bytes.count == RevocationEntry.certificateIDCount {
                return bytes
            }
            throw QRCertError(.usage, "RL_BAD_ENTRY", "\(place): a JSON line must have \"cti\" with 16 hex digits")
        }
        if Payload.Prefix.allCases.contains(where: { text.uppercased().hasPrefix($0.rawValue) }) {
            do throws(QRCertError) {
                let payload = try Payload.decode(ScanText.normalize(text))
                let claims = try CWTClaims.decode(try CBORDecoder.decode(payload.cose.payload))
                guard let id = claims.certificateID, id.count == RevocationEntry.certificateIDCount else {
                    throw QRCertError(.usage, "RL_BAD_ENTRY", "the payload has no 8-byte certificate id (cti)")
                }
                return id
            } catch {
                throw QRCertError(error.stage, error.code, "\(place): \(error.message)")
            }
        }
        throw QRCertError(.usage, "RL_BAD_ENTRY", "\(place): \"\(text.prefix(40))\" is not 16 hex digits, a payload or a JSON line with \"cti\"")
    }
}

import Foundation
import QRCert
import QRCertFormat

/// Certificate ids (`cti`) given to `revoke`: 16 hex digits, a payload whose claims carry one, or a manifest.jsonl
/// line with `"cti"`.
public enum CertificateIDs {
    /// The ids of a file's lines (`file` names them in errors as `FILE:LINE`); blank lines are skipped.
    public static func lines(_ bytes: [UInt8], file: String) throws(QRCertError) -> [[UInt8]] {
        var ids: [[UInt8]] = []
        var number = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            // A bare cti (with or without CR) is by far the common line: read it without making a String.
            if let id = hex(line) {
                ids.append(id)
                continue
            }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            ids.append(try parse(text, where: "\(file):\(number)"))
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
    public static func parse(_ text: String, where place: String) throws(QRCertError) -> [UInt8] {
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

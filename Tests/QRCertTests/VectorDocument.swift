import Foundation
import QRCert
import QRCertFormat

/// JSON with its keys in a chosen order, written the same way on every platform, so a regenerated
/// vector file is byte for byte the committed one.
indirect enum VectorJSON {
    case string(String)
    case bool(Bool)
    case integer(Int64)
    case object([(String, VectorJSON)])

    /// Two-space indentation, one member per line, non-ASCII kept as UTF-8.
    func rendered(indent: String = "") -> String {
        switch self {
        case .string(let text): return Self.quoted(text)
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let inner = indent + "  "
            let lines = members.map { "\(inner)\(Self.quoted($0.0)): \($0.1.rendered(indent: inner))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The stages of one vector, from the scanned text down to the signed claims, as far as they exist.
struct VectorLayers {
    /// The whole text.
    var text: String
    /// The text after the prefix.
    var base45: String?
    /// The zlib stream.
    var compressed: [UInt8]?
    /// The COSE_Sign1 bytes.
    var cose: [UInt8]?
    /// The signed claims (the COSE payload).
    var claims: [UInt8]?

    /// Every stage below a COSE message, the way `Payload.encode` builds them.
    static func encoding(_ message: CoseSign1, prefix: String) -> VectorLayers {
        var layers = encoding(coseBytes: message.encoded(), prefix: prefix)
        layers.claims = message.payload
        return layers
    }

    /// Every stage below raw COSE bytes (which need not be valid).
    static func encoding(coseBytes: [UInt8], prefix: String) -> VectorLayers {
        var layers = encoding(compressed: Deflate.compress(coseBytes), prefix: prefix)
        layers.cose = coseBytes
        return layers
    }

    /// The stages of a `QC2:` text: Base45 of the COSE bytes themselves, no zlib layer (docs/FORMAT.md §9.1).
    static func uncompressed(_ message: CoseSign1, prefix: String = "QC2:") -> VectorLayers {
        let cose = message.encoded()
        let base45 = Base45.encode(cose)
        return VectorLayers(text: prefix + base45, base45: base45, cose: cose, claims: message.payload)
    }

    /// Every stage below a zlib stream (which need not be valid).
    static func encoding(compressed: [UInt8], prefix: String) -> VectorLayers {
        let base45 = Base45.encode(compressed)
        return VectorLayers(text: prefix + base45, base45: base45, compressed: compressed)
    }
}

/// One staged vector in the EU DCC suite's shape, plus qrcert's EXPECTEDSTAGE/EXPECTEDCODE.
struct VectorDocument {
    /// The trust anchor a verifier is given.
    enum Anchor {
        /// A bare public key, as PEM (`qrcert verify --trust issuer.pub.pem`).
        case publicKey(String)
        /// An X.509 signer certificate, DER (EU DCC style; kid = SHA-256 of the DER, first 8 bytes).
        case certificate([UInt8])
    }

    /// The input of an issued vector: what `qrcert issue` was given.
    struct Issued {
        var issuer: String
        var profile: String
        var record: [(name: String, value: String)]
    }

    /// The stage that must fail and how.
    struct Failure {
        var flag: ConformanceFlag
        var stage: QRCertError.Stage
        var code: String
    }

    /// File name without `.json`.
    var name: String
    /// One line: what the vector checks.
    var description: String
    /// The verification time, ISO 8601 (forms vary on purpose: `verify --at` reads them all).
    var clock: String
    /// The signer's algorithm, for readers.
    var algorithm: String
    /// The trust anchor.
    var anchor: Anchor
    /// The stages.
    var layers: VectorLayers
    /// The issuer input, for vectors made by `Issuer`.
    var issued: Issued?
    /// Nil for a valid vector.
    var failure: Failure?
    /// Whether every byte is reproducible (no randomised ECDSA signature inside).
    var deterministic: Bool

    /// The clock skew the expectations assume (the CLI's default `--skew`).
    static let clockSkew: Int64 = 300

    /// Flags in pipeline order: every stage before the failing one passes; stages after a failure in
    /// steps 1-8 are not reached and absent; the two policies are both evaluated, so a content
    /// failure still states the validity result and the reverse.
    var expectedResults: [(ConformanceFlag, Bool)] {
        let order: [ConformanceFlag] = [.unprefix, .base45, .compression, .verify, .decode, .content, .expirationCheck]
        guard let failure else { return order.map { ($0, true) } }
        var results: [(ConformanceFlag, Bool)] = []
        for flag in order {
            if flag == failure.flag {
                results.append((flag, false))
                if flag == .content { results.append((.expirationCheck, true)) }
                break
            }
            results.append((flag, true))
        }
        return results
    }

    /// The file's text.
    var rendered: String {
        var members: [(String, VectorJSON)] = [("PREFIX", .string(layers.text))]
        if let base45 = layers.base45 { members.append(("BASE45", .string(base45))) }
        if let compressed = layers.compressed { members.append(("COMPRESSED", .string(Hex.encode(compressed)))) }
        if let cose = layers.cose { members.append(("COSE", .string(Hex.encode(cose)))) }
        if let claims = layers.claims { members.append(("CBOR", .string(Hex.encode(claims)))) }

        var context: [(String, VectorJSON)] = [
            ("DESCRIPTION", .string(description)),
            ("VALIDATIONCLOCK", .string(clock)),
            ("CLOCKSKEW", .integer(Self.clockSkew)),
            ("ALGORITHM", .string(algorithm)),
        ]
        switch anchor {
        case .publicKey(let pem): context.append(("PUBLICKEY", .string(pem)))
        case .certificate(let der): context.append(("CERTIFICATE", .string(Data(der).base64EncodedString())))
        }
        if let issued {
            context.append(("ISSUER", .string(issued.issuer)))
            context.append(("PROFILE", .string(issued.profile)))
            context.append(("RECORD", .object(issued.record.map { ($0.name, .string($0.value)) })))
        }
        members.append(("TESTCTX", .object(context)))
        members.append(("EXPECTEDRESULTS", .object(expectedResults.map { ($0.0.rawValue, .bool($0.1)) })))
        members.append(("EXPECTEDVALID", .bool(failure == nil)))
        if let failure {
            members.append(("EXPECTEDSTAGE", .string(failure.stage.rawValue)))
            members.append(("EXPECTEDCODE", .string(failure.code)))
        }
        return VectorJSON.object(members).rendered() + "\n"
    }
}

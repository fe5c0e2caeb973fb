import QRCertCrypto
import QRCertFormat

/// One key the verifier trusts: a bare public key, or an X.509 signer certificate.
public struct TrustAnchor: Sendable {
    /// The key id payloads name it by.
    public let keyID: [UInt8]
    /// The verifying key.
    public let key: PublicKey
    /// The certificate, when the anchor is one; its validity window then bounds the credential.
    public let certificate: Certificate?
    /// Where it was loaded from, for messages.
    public let source: String
    /// What a signed trust list says of the key (issuer, credential types, window, status); nil for a key given directly.
    public var listing: TrustListEntry? = nil
}

/// The set of trusted keys, looked up by key id. Several anchors may share a kid.
public struct TrustStore: Sendable {
    /// Every anchor, in load order.
    public private(set) var anchors: [TrustAnchor] = []
    private var byKeyID: [[UInt8]: [Int]] = [:]

    /// An empty store.
    public init() {}

    /// Adds a public key (kid = SHA-256 of its SPKI, first 8 bytes).
    public mutating func add(_ key: PublicKey, source: String) {
        append(TrustAnchor(keyID: key.keyID, key: key, certificate: nil, source: source))
    }

    /// Adds a signer certificate (kid = SHA-256 of its DER, first 8 bytes: the EU DCC rule).
    public mutating func add(_ certificate: Certificate, source: String) {
        append(TrustAnchor(keyID: certificate.keyID, key: certificate.publicKey, certificate: certificate, source: source))
    }

    /// Adds whatever a trust file holds: PEM public keys and certificates, or one DER key or certificate.
    public mutating func add(fileBytes bytes: [UInt8], source: String) throws(QRCertError) {
        if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN ") {
            if text.contains("PRIVATE KEY-----") {
                throw QRCertError(.trust, "TRUST_PRIVATE_KEY", "\(source) holds a private key; trust files hold public keys only",
                                  hint: "pass the .pub.pem file written by keygen")
            }
            var found = 0
            if text.contains("-----BEGIN CERTIFICATE-----") {
                for certificate in try Self.located(source, { () throws(QRCertError) in try Certificate.all(pem: text) }) {
                    add(certificate, source: source)
                    found += 1
                }
            }
            for block in Self.pemBlocks(text, label: "PUBLIC KEY") {
                add(try Self.located(source, { () throws(QRCertError) in try PublicKey.pem(block) }), source: source)
                found += 1
            }
            guard found > 0 else {
                throw QRCertError(.trust, "TRUST_BAD_FILE", "\(source) has no PUBLIC KEY or CERTIFICATE block")
            }
            return
        }
        if let certificate = try? Certificate.der(bytes) {
            add(certificate, source: source)
        } else if let key = try? PublicKey.der(bytes) {
            add(key, source: source)
        } else {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(source) is neither a PEM file nor a DER certificate or public key")
        }
    }

    /// Anchors whose kid is `keyID`.
    public func anchors(for keyID: [UInt8]) -> [TrustAnchor] {
        (byKeyID[keyID] ?? []).map { anchors[$0] }
    }

    /// Whether the store is empty.
    public var isEmpty: Bool { anchors.isEmpty }

    /// Internal rather than private so tests can file an anchor under a chosen kid: two real keys
    /// never share one, yet the verifier must cope when a trust list says they do.
    mutating func append(_ anchor: TrustAnchor) {
        byKeyID[anchor.keyID, default: []].append(anchors.count)
        anchors.append(anchor)
    }

    private static func located<T>(_ source: String, _ body: () throws(QRCertError) -> T) throws(QRCertError) -> T {
        do throws(QRCertError) {
            return try body()
        } catch {
            throw QRCertError(.trust, "TRUST_BAD_FILE", "\(source): \(error.message)")
        }
    }

    static func pemBlocks(_ text: String, label: String) -> [String] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        var blocks: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin), let stop = rest[start.upperBound...].range(of: end) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]) + "\n")
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}

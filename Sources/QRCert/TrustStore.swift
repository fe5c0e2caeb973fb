import QRCertCrypto
import QRCertFormat

/// One way a trusted key is named: a bare public key, or an X.509 signer certificate of it.
///
/// The key itself is its SubjectPublicKeyInfo (docs/FORMAT.md §5.1): a kid only finds candidates, and
/// what a trust list says of the key (`listing`) belongs to every anchor of that key, however it was given.
public struct TrustAnchor: Sendable {
    /// The key id payloads name it by (of the SPKI, or of the certificate).
    public let keyID: [UInt8]
    /// The verifying key.
    public let key: PublicKey
    /// The certificate, when the anchor is one; its validity window then bounds the credential.
    public let certificate: Certificate?
    /// Where it was loaded from, for messages.
    public let source: String
    /// What the trust list says of the key (issuer, credential types, window, status), found by the key's SPKI,
    /// whichever kid named it and however it was given; nil for a key no trust list holds.
    public internal(set) var listing: TrustListEntry? = nil
    /// Whether the anchor came from the trust list itself (its source then names the list).
    var fromTrustList = false
    /// Whether the certificate came from the payload's own x5chain: then it is only a key if it chains to a CA.
    public internal(set) var fromPayload = false
    /// The rest of the payload's x5chain (untrusted intermediates towards a CA), signer excluded.
    public internal(set) var intermediates: [Certificate] = []
}

/// A kid as a dictionary key, hashed as one run of bytes (`[UInt8]` hashes each byte on its own): the verifier looks
/// one up for every payload.
private struct KeyIDKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The set of trusted keys: anchors looked up by key id, policies looked up by key (SPKI).
/// Several anchors may share a kid, and several kids may name one key.
public struct TrustStore: Sendable {
    /// Every anchor, in load order, each with its key's listing.
    public var anchors: [TrustAnchor] { stored.map(resolved) }
    private var stored: [TrustAnchor] = []
    private var byKeyID: [KeyIDKey: [Int]] = [:]
    /// The trust list's entry for each key, by its identity (canonical SPKI DER).
    private var listings: [[UInt8]: TrustListEntry] = [:]
    /// CA certificates (a CSCA) that signer certificates must chain to (`verify --trust-ca`); see `CertificateChainPolicy`.
    public internal(set) var authorities: [CertificateAuthority] = []

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

    /// The trust list's entry for `key`, compared by SPKI.
    public func listing(of key: PublicKey) -> TrustListEntry? { listings.isEmpty ? nil : listings[key.identity] }

    /// One anchor per key (SPKI), in load order, each with its listing: the keys that may sign revocation lists.
    /// A certificate that is no signer (a CA, or keyUsage without digitalSignature) lends its key nothing.
    public var keys: [TrustAnchor] {
        var seen = Set<[UInt8]>()
        return stored.filter { $0.certificate?.signerProblem == nil && seen.insert($0.key.identity).inserted }.map(resolved)
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

    /// Anchors whose kid is `keyID`, each with its key's listing; an anchor from the trust list comes before the
    /// same certificate or key given otherwise, so the verdict names the list.
    public func anchors(for keyID: [UInt8]) -> [TrustAnchor] {
        guard let indices = byKeyID[KeyIDKey(bytes: keyID)] else { return [] }
        let found = indices.map { resolved(stored[$0]) }
        return found.count == 1 ? found : found.filter(\.fromTrustList) + found.filter { !$0.fromTrustList }
    }

    /// Whether the store is empty (CA certificates count: signers can chain to them).
    public var isEmpty: Bool { stored.isEmpty && authorities.isEmpty }

    /// Internal rather than private so tests can file an anchor under a chosen kid: two real keys
    /// never share one, yet the verifier must cope when a trust list says they do.
    mutating func append(_ anchor: TrustAnchor) {
        byKeyID[KeyIDKey(bytes: anchor.keyID), default: []].append(stored.count)
        stored.append(anchor)
    }

    /// Records what a trust list says of a key; every anchor of that key, earlier or later, takes it.
    mutating func record(_ entry: TrustListEntry) {
        listings[entry.key.identity] = entry
    }

    func resolved(_ anchor: TrustAnchor) -> TrustAnchor {
        guard !listings.isEmpty else { return anchor }
        var anchor = anchor
        anchor.listing = listings[anchor.key.identity]
        return anchor
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

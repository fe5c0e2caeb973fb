import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat

/// Builds qrcert's staged vectors (`Fixtures/vectors/*.json`) from the TEST-ONLY keys beside them.
///
/// Ed25519 signatures are deterministic, so those vectors are rebuilt byte for byte. ECDSA
/// signatures are randomised: an ES256/ES384 vector keeps the signature its committed file holds
/// while that signature still verifies over the same bytes, so regenerating changes nothing.
/// `VectorTests` compares the output with the files; `QRCERT_WRITE_VECTORS=1` writes it.
final class VectorGenerator {
    /// `Fixtures/vectors/keys`.
    static let keys = ConformancePaths.vectors.appendingPathComponent("keys")

    let ed25519: PrivateKey
    let es256: PrivateKey
    let es384: PrivateKey
    /// Self-signed TEST-ONLY certificate over the ES256 key, valid 2025-01-01 to 2030-01-01 (UTC).
    let certificate: Certificate
    /// TEST-ONLY certificates over the same ES256 key that are no signers: a CA, and one whose keyUsage is keyAgreement only.
    let caCertificate: Certificate, keyAgreementCertificate: Certificate
    let profiles: [String: Profile]
    /// ECDSA signatures by the bytes they sign: the committed ones, then those made in this run.
    private var signatures: [[UInt8]: [UInt8]] = [:]
    /// Whether the vector being built used an ECDSA signature.
    private var usedECDSA = false

    /// The issuing authority of the qrcert vectors.
    static let issuerName = "Sở GTVT Đà Nẵng (TEST-ONLY)"
    /// A class B driving licence: expires, so `exp` is required.
    static let licence: [(name: String, value: String)] = [
        ("licence_no", "480123456789"), ("full_name", "Nguyễn Thị Thu Hà"), ("sex", "Nữ"),
        ("date_of_birth", "1990-04-15"), ("class", "B"), ("issue_date", "2025-03-01"),
        ("expiry_date", "2035-03-01"), ("issuing_authority", "Sở GTVT Đà Nẵng"), ("nationality", "VNM"),
        ("address", "12 Lê Duẩn, Hải Châu, Đà Nẵng"),
    ]
    /// A class A1 licence: never expires (no `exp`).
    static let licenceA1: [(name: String, value: String)] = [
        ("licence_no", "480123456790"), ("full_name", "Trần Văn Bình"), ("sex", "Nam"),
        ("date_of_birth", "1985-11-02"), ("class", "A1"), ("issue_date", "2025-03-01"),
        ("issuing_authority", "Sở GTVT Đà Nẵng"), ("nationality", "VNM"),
    ]
    /// A class B licence whose number has letters and whose authority is outside the profile's dictionary: both stay text in QC2:.
    static let licenceFreeText: [(name: String, value: String)] = [
        ("licence_no", "AB-480123"), ("full_name", "Lê Văn Tám"), ("sex", "Nam"),
        ("date_of_birth", "1979-08-19"), ("class", "B"), ("issue_date", "2025-03-01"),
        ("expiry_date", "2035-03-01"), ("issuing_authority", "Phòng CSGT Công an Quảng Nam (TEST-ONLY)"), ("nationality", "LVA"),
    ]
    /// A road transport permit: the profile has no expiry at all.
    static let permit: [(name: String, value: String)] = [
        ("permit_no", "43/2025/GPKDVT-TEST"), ("business_name", "Công ty TNHH Vận tải Sông Hàn (TEST-ONLY)"),
        ("tax_code", "0401234567"), ("representative", "Lê Minh Châu"),
        ("address", "99 Nguyễn Văn Linh, Thanh Khê, Đà Nẵng"), ("business_type", "Vận tải hàng hóa"),
        ("issue_date", "2025-03-01"), ("issuing_authority", "Sở GTVT Đà Nẵng"),
    ]
    /// Claims of the `HC1:` vectors: a generic CWT, with a DCC-shaped `hcert` (a map of maps).
    static let dccIssuedAt: Int64 = 1_748_736_000  // 2025-06-01T00:00:00Z
    static let dccExpiresAt: Int64 = 1_780_272_000  // 2026-06-01T00:00:00Z

    /// Loads the keys and the certificate; `previous` are the committed vector files, whose ECDSA
    /// signatures are kept when they still verify.
    init(previous: [URL]) throws {
        func key(_ name: String) throws -> PrivateKey {
            try PrivateKey.pem(String(contentsOf: Self.keys.appendingPathComponent(name), encoding: .utf8), passphrase: nil)
        }
        ed25519 = try key("TEST-ONLY-ed25519.key.pem")
        es256 = try key("TEST-ONLY-es256.key.pem")
        es384 = try key("TEST-ONLY-es384.key.pem")
        let pem = try String(contentsOf: Self.keys.appendingPathComponent("TEST-ONLY-es256.crt.pem"), encoding: .utf8)
        guard let certificate = try Certificate.all(pem: pem).first else { throw QRCertError(.trust, "TEST", "no certificate") }
        self.certificate = certificate
        func loadCertificate(_ name: String) throws -> Certificate {
            let text = try String(contentsOf: Self.keys.appendingPathComponent(name), encoding: .utf8)
            guard let found = try Certificate.all(pem: text).first else { throw QRCertError(.trust, "TEST", "no certificate in \(name)") }
            return found
        }
        caCertificate = try loadCertificate("TEST-ONLY-es256-ca.crt.pem")
        keyAgreementCertificate = try loadCertificate("TEST-ONLY-es256-no-signing.crt.pem")
        var profiles: [String: Profile] = [:]
        for profile in try BuiltinProfiles.all() { profiles[profile.type] = profile }
        self.profiles = profiles

        for url in previous {
            guard let document = try? ConformanceJSON.parse(Data(contentsOf: url)),
                  let cose = document["COSE"]?.string.flatMap(Hex.decode),
                  let message = try? CoseSign1.decode(cose) else { continue }
            let toBeSigned = message.toBeSigned()
            for key in [es256, es384] where (try? key.publicKey.verify(message.signature, of: toBeSigned, algorithm: key.algorithm)) == true {
                signatures[toBeSigned] = message.signature
            }
        }
    }

    // MARK: - Building blocks

    /// Signs `message` with `key`; an ECDSA signature already made over the same bytes is reused.
    func sign(_ message: inout CoseSign1, with key: PrivateKey) throws {
        let toBeSigned = message.toBeSigned()
        guard key.algorithm == .es256 || key.algorithm == .es384 else {
            message.signature = try key.sign(toBeSigned)
            return
        }
        usedECDSA = true
        if let previous = signatures[toBeSigned],
           (try? key.publicKey.verify(previous, of: toBeSigned, algorithm: key.algorithm)) == true {
            message.signature = previous
            return
        }
        message.signature = try key.sign(toBeSigned)
        signatures[toBeSigned] = message.signature
    }

    /// `{1: alg, 4: kid}`, as the issuer writes it.
    func protectedHeader(_ algorithm: Int64, _ kid: [UInt8]) -> [CBORPair] {
        [CBORPair(.int(CoseSign1.algLabel), .int(algorithm)), CBORPair(.int(CoseSign1.kidLabel), .bytes(kid))]
    }

    /// A checked credential from a record.
    func credential(_ record: [(name: String, value: String)], profile type: String) throws -> Credential {
        guard let profile = profiles[type] else { throw QRCertError(.profile, "TEST", "no profile \(type)") }
        do {
            return try Credential(row: RecordRow(source: "vector", line: 1, fields: record), profile: profile)
        } catch {
            throw error.error
        }
    }

    /// The claims the issuer would sign for `record`, as a CBOR map to be altered.
    func claims(_ record: [(name: String, value: String)] = licence, profile: String = "vn.dl", key: PrivateKey? = nil) throws -> CWTClaims {
        try Issuer(key: key ?? ed25519, name: Self.issuerName, encoding: .version1).claims(for: credential(record, profile: profile))
    }

    /// The claims the issuer signs for `record` in a `QC2:` payload (docs/FORMAT.md §9).
    func compactClaims(_ record: [(name: String, value: String)] = licence, profile: String = "vn.dl") throws -> CWTClaims {
        try Issuer(key: ed25519, name: Self.issuerName).claims(for: credential(record, profile: profile))
    }

    /// The `QC2:` claims of the standard licence, with the claims map and then the record map altered, signed with Ed25519.
    func alteredCompact(claims changeClaims: (inout [CBORPair]) -> Void = { _ in },
                        record changeRecord: (inout [CBORPair]) -> Void = { _ in }) throws -> CoseSign1 {
        guard case .map(var pairs) = try compactClaims().encoded(),
              let index = pairs.firstIndex(where: { $0.key == .int(CWTClaims.Key.credential) }),
              case .array(var content) = pairs[index].value, case .map(var record) = content[1] else {
            throw QRCertError(.internal, "TEST", "compact claims not as issued")
        }
        changeRecord(&record)
        content[1] = .map(record)
        pairs[index].value = .array(content)
        changeClaims(&pairs)
        return try signed(claims: CBOREncoder.encode(.map(pairs)))
    }

    /// A signed `QC1:` message over arbitrary claim bytes.
    func signed(
        claims payload: [UInt8], key: PrivateKey? = nil, protected: [CBORPair]? = nil,
        unprotected: [CBORPair] = [], tags: [UInt64] = [CoseSign1.tag]
    ) throws -> CoseSign1 {
        let key = key ?? ed25519
        var message = CoseSign1(protectedHeader: protected ?? protectedHeader(key.algorithm.rawValue, key.publicKey.keyID),
                                unprotectedHeader: unprotected, payload: payload, tags: tags)
        try sign(&message, with: key)
        return message
    }

    /// The issuer's claims for the standard licence, altered by `change`, signed with Ed25519.
    func alteredClaims(_ change: (inout [CBORPair]) -> Void) throws -> CoseSign1 {
        guard case .map(var pairs) = try claims().encoded() else { throw QRCertError(.internal, "TEST", "claims not a map") }
        change(&pairs)
        return try signed(claims: CBOREncoder.encode(.map(pairs)))
    }

    /// The issuer's claims with the record altered by `change`.
    func alteredRecord(_ change: (inout [CBORPair]) -> Void) throws -> CoseSign1 {
        try alteredClaims { Self.editRecord(&$0, change) }
    }

    /// Applies `change` to the record inside a claims map's credential claim.
    static func editRecord(_ claims: inout [CBORPair], _ change: (inout [CBORPair]) -> Void) {
        guard let index = claims.firstIndex(where: { $0.key == .int(CWTClaims.Key.credential) }),
              case .map(var content) = claims[index].value,
              let recordIndex = content.firstIndex(where: { $0.key == .int(2) }),
              case .map(var record) = content[recordIndex].value else { return }
        change(&record)
        content[recordIndex].value = .map(record)
        claims[index].value = .map(content)
    }

    /// The `HC1:` claims: `{1: "VN", 4: exp, 6: iat, -260: {1: {...}}}`.
    func dccClaims(issuedAt: Int64 = dccIssuedAt, expiresAt: Int64 = dccExpiresAt) -> [UInt8] {
        let certificate = CBOR.map([CBORPair(.text("ver"), .text("1.3.0")), CBORPair(.text("note"), .text("TEST-ONLY generic CWT"))])
        return CBOREncoder.encode(.map([
            CBORPair(.int(CWTClaims.Key.iss), .text("VN")),
            CBORPair(.int(CWTClaims.Key.exp), .int(expiresAt)),
            CBORPair(.int(CWTClaims.Key.iat), .int(issuedAt)),
            CBORPair(.int(CWTClaims.Key.hcert), .map([CBORPair(.int(1), certificate)])),
        ]))
    }

    /// An `HC1:` message signed by the certificate's key, kid = the certificate's.
    func dcc(
        claims: [UInt8]? = nil, protected: [CBORPair]? = nil, unprotected: [CBORPair] = [],
        tags: [UInt64] = [CoseSign1.tag]
    ) throws -> CoseSign1 {
        try signed(claims: claims ?? dccClaims(), key: es256,
                   protected: protected ?? protectedHeader(SignatureAlgorithm.es256.rawValue, certificate.keyID),
                   unprotected: unprotected, tags: tags)
    }

    /// The standard Ed25519 licence, as issued.
    func issuedLicence() throws -> CoseSign1 {
        try signed(claims: CBOREncoder.encode(claims().encoded()))
    }

    // MARK: - The vectors

    /// Every vector, in file-name order.
    func vectors() throws -> [VectorDocument] {
        let qrcert = "QC1:", dcc = "HC1:"
        let edKey = VectorDocument.Anchor.publicKey(ed25519.publicKey.pemText)
        let certAnchor = VectorDocument.Anchor.certificate(certificate.derBytes)
        let clock = "2026-03-01T09:00:00+07:00"
        let dccClock = "2025-09-01T12:00:00Z"
        var documents: [VectorDocument] = []

        func add(
            _ name: String, _ description: String, clock: String = clock, anchor: VectorDocument.Anchor = edKey,
            algorithm: String = "EdDSA", issued: VectorDocument.Issued? = nil,
            fails: (ConformanceFlag, QRCertError.Stage, String)? = nil, _ build: () throws -> VectorLayers
        ) throws {
            usedECDSA = false
            let layers = try build()
            documents.append(VectorDocument(
                name: name, description: description, clock: clock, algorithm: algorithm, anchor: anchor,
                layers: layers, issued: issued, failure: fails.map { .init(flag: $0.0, stage: $0.1, code: $0.2) },
                deterministic: !usedECDSA))
        }
        func issue(_ record: [(name: String, value: String)], _ profile: String, encoding: Issuer.Encoding = .version1) throws -> VectorLayers {
            let payload = try Issuer(key: ed25519, name: Self.issuerName, encoding: encoding).issue(credential(record, profile: profile)).payload
            var partial = Payload.Partial()
            let decoded = try Payload.decode(payload, limits: .standard, partial: &partial)
            return VectorLayers(text: payload, base45: decoded.base45, compressed: decoded.compressed,
                                cose: decoded.coseBytes, claims: decoded.cose.payload)
        }
        let licenceIssued = VectorDocument.Issued(issuer: Self.issuerName, profile: "vn.dl", record: Self.licence)
        let good = try issuedLicence()
        let goodLayers = VectorLayers.encoding(good, prefix: qrcert)
        let goodBase45 = goodLayers.base45 ?? ""
        let goodCompressed = goodLayers.compressed ?? []
        let goodCose = goodLayers.cose ?? []
        let validity = try claims()
        let nbf = validity.notBefore ?? 0, exp = validity.expiresAt ?? 0

        // Valid payloads.
        try add("valid-ed25519-licence", "class B driving licence issued with Ed25519; the issuer reproduces it byte for byte",
                issued: licenceIssued) { try issue(Self.licence, "vn.dl") }
        try add("valid-ed25519-licence-no-expiry", "class A1 licence without exp: the profile lets A1, A and B1 never expire",
                clock: "2040-01-01", issued: .init(issuer: Self.issuerName, profile: "vn.dl", record: Self.licenceA1)) {
            try issue(Self.licenceA1, "vn.dl")
        }
        try add("valid-ed25519-transport-permit", "transport permit: a profile with no expiry at all",
                clock: "2031-07-15T00:00:00.123456789Z", issued: .init(issuer: Self.issuerName, profile: "vn.tp", record: Self.permit)) {
            try issue(Self.permit, "vn.tp")
        }
        try add("valid-es256-licence", "the same licence signed with ES256 (P-256, raw r||s)",
                anchor: .publicKey(es256.publicKey.pemText), algorithm: "ES256") {
            VectorLayers.encoding(try signed(claims: CBOREncoder.encode(claims(key: es256).encoded()), key: es256), prefix: qrcert)
        }
        try add("valid-validity-one-second-before-exp", "clock one second before exp: still valid",
                clock: Timestamp.iso(exp - 1)) { goodLayers }
        try add("valid-validity-within-skew-of-nbf", "clock 300 s (the default skew) before nbf: accepted",
                clock: Timestamp.iso(nbf - VectorDocument.clockSkew)) { goodLayers }
        try add("valid-hc1-certificate", "HC1: generic CWT signed with ES256 by an X.509 signer certificate (kid = SHA-256 of its DER)",
                clock: dccClock, anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(), prefix: dcc)
        }
        try add("valid-hc1-untagged", "HC1: COSE_Sign1 without tag 18", clock: "2025-09-01T12:00:00", anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(tags: []), prefix: dcc)
        }
        try add("valid-hc1-cwt-tag-61", "HC1: COSE_Sign1 wrapped in CWT tag 61 around tag 18", clock: "2025-09-01T14:00:00+0200",
                anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(tags: [CoseSign1.cwtTag, CoseSign1.tag]), prefix: dcc)
        }
        try add("valid-hc1-kid-unprotected-only", "HC1: kid only in the unprotected header (used to find the key)",
                clock: dccClock, anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(protected: [CBORPair(.int(CoseSign1.algLabel), .int(SignatureAlgorithm.es256.rawValue))],
                                               unprotected: [CBORPair(.int(CoseSign1.kidLabel), .bytes(certificate.keyID))]), prefix: dcc)
        }
        try add("valid-hc1-kid-protected-wins", "HC1: a wrong kid in the unprotected header is ignored when the protected one is right",
                clock: dccClock, anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(unprotected: [CBORPair(.int(CoseSign1.kidLabel), .bytes([0, 1, 2, 3, 4, 5, 6, 7]))]), prefix: dcc)
        }
        try add("valid-hc1-alg-unprotected-only", "HC1: alg only in the unprotected header (accepted for HC1: only)",
                clock: dccClock, anchor: certAnchor, algorithm: "ES256") {
            VectorLayers.encoding(try self.dcc(protected: [CBORPair(.int(CoseSign1.kidLabel), .bytes(certificate.keyID))],
                                               unprotected: [CBORPair(.int(CoseSign1.algLabel), .int(SignatureAlgorithm.es256.rawValue))]), prefix: dcc)
        }

        // Step 1: prefix.
        try add("01-prefix-too-long", "4,297 characters: longer than a version 40 QR code holds",
                fails: (.unprefix, .prefix, "PAYLOAD_TOO_LONG")) {
            VectorLayers(text: qrcert + String(repeating: "0", count: 4293))
        }
        try add("01-prefix-unknown-version", "QC3: is a version this verifier does not know", fails: (.unprefix, .prefix, "PREFIX_UNKNOWN")) {
            VectorLayers(text: "QC3:" + goodBase45, base45: goodBase45)
        }
        try add("01-prefix-missing", "Base45 text without any prefix", fails: (.unprefix, .prefix, "PREFIX_UNKNOWN")) {
            VectorLayers(text: goodBase45)
        }

        // Step 2: Base45.
        try add("02-base45-bad-char", "a '#' inside the Base45 text", fails: (.base45, .base45, "B45_BAD_CHAR")) {
            let text = "#" + goodBase45.dropFirst()
            return VectorLayers(text: qrcert + text, base45: text)
        }
        try add("02-base45-bad-length", "Base45 length 3n+1: a lone last character", fails: (.base45, .base45, "B45_BAD_LENGTH")) {
            var text = goodBase45
            while text.count % 3 != 1 { text += "0" }
            return VectorLayers(text: qrcert + text, base45: text)
        }
        try add("02-base45-overflow-triple", "first group ':::' = 91124, above 65535", fails: (.base45, .base45, "B45_OVERFLOW")) {
            let text = ":::" + goodBase45.dropFirst(3)
            return VectorLayers(text: qrcert + text, base45: text)
        }
        try add("02-base45-overflow-pair", "final pair '::' = 2024, above 255", fails: (.base45, .base45, "B45_OVERFLOW")) {
            var text = goodBase45
            while text.count % 3 != 0 { text.removeLast() }
            text += "::"
            return VectorLayers(text: qrcert + text, base45: text)
        }

        // Step 3: zlib.
        try add("03-zlib-bad-data", "zlib header check bits wrong", fails: (.compression, .zlib, "ZLIB_BAD_DATA")) {
            var compressed = goodCompressed
            compressed[1] ^= 0x01
            return VectorLayers.encoding(compressed: compressed, prefix: qrcert)
        }
        try add("03-zlib-truncated", "zlib stream cut before its checksum", fails: (.compression, .zlib, "ZLIB_BAD_DATA")) {
            VectorLayers.encoding(compressed: Array(goodCompressed.dropLast(4)), prefix: qrcert)
        }
        try add("03-zlib-not-compressed", "the COSE bytes Base45-encoded without zlib", fails: (.compression, .zlib, "ZLIB_BAD_DATA")) {
            VectorLayers.encoding(compressed: goodCose, prefix: qrcert)
        }
        try add("03-zlib-too-large", "inflates to 70,000 bytes, above the 65,536 limit", fails: (.compression, .zlib, "ZLIB_TOO_LARGE")) {
            VectorLayers.encoding(compressed: Deflate.compress(goodCose + [UInt8](repeating: 0, count: 70_000 - goodCose.count)), prefix: qrcert)
        }
        try add("03-zlib-trailing-bytes", "a byte after the end of the zlib stream", fails: (.compression, .zlib, "ZLIB_TRAILING_BYTES")) {
            VectorLayers.encoding(compressed: goodCompressed + [0], prefix: qrcert)
        }

        // Step 4: the COSE message as strict CBOR.
        let coseCBOR: [(String, String, String, [UInt8])] = [
            ("04-cbor-truncated", "COSE message missing its last byte", "CBOR_TRUNCATED", Array(goodCose.dropLast())),
            ("04-cbor-trailing-bytes", "a byte after the COSE message", "CBOR_TRAILING_BYTES", goodCose + [0]),
            ("04-cbor-indefinite", "COSE array of indefinite length", "CBOR_INDEFINITE",
             [0xD2, 0x9F] + Array(goodCose.dropFirst(2)) + [0xFF]),
            ("04-cbor-reserved", "reserved additional information 28", "CBOR_RESERVED", [0xD2, 0x1C]),
            ("04-cbor-unexpected-break", "a break code outside an indefinite-length item", "CBOR_UNEXPECTED_BREAK", [0xD2, 0xFF]),
            ("04-cbor-too-deep", "20 nested arrays, deeper than 16", "CBOR_TOO_DEEP",
             [0xD2] + [UInt8](repeating: 0x81, count: 20) + [0x00]),
            ("04-cbor-too-many-items", "an array of 10,001 integers, more than 10,000 items", "CBOR_TOO_MANY_ITEMS",
             [0xD2, 0x99, 0x27, 0x11] + [UInt8](repeating: 0, count: 10_001)),
        ]
        for (name, description, code, bytes) in coseCBOR {
            try add(name, description, fails: (.verify, .cbor, code)) { VectorLayers.encoding(coseBytes: bytes, prefix: qrcert) }
        }
        try add("04-cbor-duplicate-key", "the unprotected header repeats key 4", fails: (.verify, .cbor, "CBOR_DUPLICATE_KEY")) {
            var message = good
            message.unprotectedHeader = [CBORPair(.int(4), .bytes([1])), CBORPair(.int(4), .bytes([2]))]
            return VectorLayers.encoding(message, prefix: qrcert)
        }

        // Step 5: COSE structure and headers.
        try add("05-cose-bad-tag", "tag 17 (COSE_Mac0) instead of 18", fails: (.verify, .cose, "COSE_BAD_TAG")) {
            var message = good
            message.tags = [17]
            return VectorLayers.encoding(message, prefix: qrcert)
        }
        try add("05-cose-bad-structure", "an array of 3 items", fails: (.verify, .cose, "COSE_BAD_STRUCTURE")) {
            VectorLayers.encoding(coseBytes: CBOREncoder.encode(.tagged(18, .array([.bytes(good.protectedBytes), .map([]), .bytes(good.payload)]))),
                                  prefix: qrcert)
        }
        try add("05-cose-detached-payload", "payload nil (detached): qrcert needs it attached", fails: (.verify, .cose, "COSE_BAD_STRUCTURE")) {
            VectorLayers.encoding(coseBytes: CBOREncoder.encode(.tagged(18, .array([.bytes(good.protectedBytes), .map([]), .null, .bytes(good.signature)]))),
                                  prefix: qrcert)
        }
        try add("05-cose-protected-not-map", "the protected header holds an array", fails: (.verify, .cose, "COSE_BAD_HEADER")) {
            var message = good
            message.protectedBytes = CBOREncoder.encode(.array([.int(1), .int(-8)]))
            try sign(&message, with: ed25519)
            return VectorLayers.encoding(message, prefix: qrcert)
        }
        try add("05-cose-kid-not-bytes", "kid is a text string", fails: (.verify, .cose, "COSE_BAD_HEADER")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(1), .int(-8)), CBORPair(.int(4), .text("kid"))]),
                                  prefix: qrcert)
        }
        try add("05-cose-no-kid", "no kid in either header", fails: (.verify, .cose, "COSE_NO_KID")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(1), .int(-8))]), prefix: qrcert)
        }
        try add("05-cose-no-alg", "QC1: with alg only in the unprotected header, which QC1: never uses", fails: (.verify, .cose, "COSE_NO_ALG")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(4), .bytes(ed25519.publicKey.keyID))],
                                             unprotected: [CBORPair(.int(1), .int(-8))]), prefix: qrcert)
        }

        try add("05-cose-crit-unknown", "crit (2) names header label 99, which no verifier of this format understands (RFC 9052 §3.1)",
                fails: (.verify, .cose, "COSE_CRIT_UNKNOWN")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(1), .int(-8)), CBORPair(.int(2), .array([.int(99)])),
                                                                             CBORPair(.int(4), .bytes(ed25519.publicKey.keyID))]), prefix: qrcert)
        }
        try add("05-cose-crit-empty", "crit (2) is an empty array (RFC 9052 §3.1: at least one label)", fails: (.verify, .cose, "COSE_BAD_HEADER")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(1), .int(-8)), CBORPair(.int(2), .array([])),
                                                                             CBORPair(.int(4), .bytes(ed25519.publicKey.keyID))]), prefix: qrcert)
        }
        try add("valid-crit-understood", "crit (2) names alg (1), which every verifier understands", issued: nil) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: [CBORPair(.int(1), .int(-8)), CBORPair(.int(2), .array([.int(1)])),
                                                                             CBORPair(.int(4), .bytes(ed25519.publicKey.keyID))]), prefix: qrcert)
        }

        // Step 6: key.
        try add("06-key-kid-of-bare-key-certificate-anchor",
                "signed by the certificate's key but named by the bare key's kid: a kid only finds the form it names (§5.1), so the certificate (and its window) cannot be sidestepped",
                clock: dccClock, anchor: certAnchor, algorithm: "ES256", fails: (.verify, .key, "KID_UNKNOWN")) {
            VectorLayers.encoding(try self.dcc(protected: protectedHeader(SignatureAlgorithm.es256.rawValue, es256.publicKey.keyID)), prefix: dcc)
        }
        try add("06-key-alg-unsupported", "alg -36 (ES512), which qrcert does not verify", fails: (.verify, .key, "ALG_UNSUPPORTED")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: protectedHeader(-36, ed25519.publicKey.keyID)), prefix: qrcert)
        }
        try add("06-key-kid-unknown", "kid of no trusted key", fails: (.verify, .key, "KID_UNKNOWN")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: protectedHeader(-8, [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 1])), prefix: qrcert)
        }
        try add("06-key-alg-mismatch", "declares ES256 but the kid names an Ed25519 key", fails: (.verify, .key, "ALG_KEY_MISMATCH")) {
            VectorLayers.encoding(try signed(claims: good.payload, protected: protectedHeader(SignatureAlgorithm.es256.rawValue, ed25519.publicKey.keyID)),
                                  prefix: qrcert)
        }
        try add("06-key-es256-with-p384-key", "declares ES256 but is signed with a P-384 key (96-byte signature): rejected, never verified as ES384",
                anchor: .publicKey(es384.publicKey.pemText), algorithm: "ES384", fails: (.verify, .key, "ALG_KEY_MISMATCH")) {
            VectorLayers.encoding(try signed(claims: good.payload, key: es384,
                                             protected: protectedHeader(SignatureAlgorithm.es256.rawValue, es384.publicKey.keyID)), prefix: qrcert)
        }

        try add("06-key-certificate-is-ca", "HC1: signed by the key of a CA certificate (basicConstraints cA): a CA certifies keys and is no signer",
                clock: "2027-06-01T00:00:00Z", anchor: .certificate(caCertificate.derBytes), algorithm: "ES256", fails: (.verify, .key, "CERT_NOT_SIGNER")) {
            VectorLayers.encoding(try self.dcc(protected: protectedHeader(SignatureAlgorithm.es256.rawValue, caCertificate.keyID)), prefix: dcc)
        }
        try add("06-key-certificate-without-digital-signature", "HC1: the signer certificate's keyUsage is keyAgreement only, without digitalSignature",
                clock: "2027-06-01T00:00:00Z", anchor: .certificate(keyAgreementCertificate.derBytes), algorithm: "ES256",
                fails: (.verify, .key, "CERT_NOT_SIGNER")) {
            VectorLayers.encoding(try self.dcc(protected: protectedHeader(SignatureAlgorithm.es256.rawValue, keyAgreementCertificate.keyID)), prefix: dcc)
        }

        // Step 7: signature.
        try add("07-signature-invalid", "one bit of the Ed25519 signature flipped", fails: (.verify, .signature, "SIG_INVALID")) {
            var message = good
            message.signature[10] ^= 0x01
            return VectorLayers.encoding(message, prefix: qrcert)
        }
        try add("07-signature-wrong-length", "a 63-byte Ed25519 signature", fails: (.verify, .signature, "SIG_INVALID")) {
            var message = good
            message.signature.removeLast()
            return VectorLayers.encoding(message, prefix: qrcert)
        }
        try add("07-signature-es256-invalid", "one bit of the ES256 signature (s) flipped", anchor: .publicKey(es256.publicKey.pemText),
                algorithm: "ES256", fails: (.verify, .signature, "SIG_INVALID")) {
            var message = try signed(claims: CBOREncoder.encode(claims(key: es256).encoded()), key: es256)
            message.signature[40] ^= 0x01
            return VectorLayers.encoding(message, prefix: qrcert)
        }
        try add("07-signature-other-claims", "a valid signature over other claims (exp moved by a day)", fails: (.verify, .signature, "SIG_INVALID")) {
            var message = good
            var altered = validity
            altered.expiresAt = exp + 86_400
            message.payload = CBOREncoder.encode(altered.encoded())
            return VectorLayers.encoding(message, prefix: qrcert)
        }

        // Step 8: the signed claims.
        try add("08-claims-not-cbor", "signed claims that are not CBOR", fails: (.decode, .cbor, "CBOR_UNEXPECTED_BREAK")) {
            VectorLayers.encoding(try signed(claims: [0xFF, 0xFF]), prefix: qrcert)
        }
        try add("08-claims-indefinite", "signed claims map of indefinite length", fails: (.decode, .cbor, "CBOR_INDEFINITE")) {
            let definite = CBOREncoder.encode(validity.encoded())
            return VectorLayers.encoding(try signed(claims: [0xBF] + definite.dropFirst() + [0xFF]), prefix: qrcert)
        }
        try add("08-claims-duplicate-key", "signed claims repeat exp", fails: (.decode, .cbor, "CBOR_DUPLICATE_KEY")) {
            VectorLayers.encoding(try alteredClaims { $0.append(CBORPair(.int(CWTClaims.Key.exp), .int(exp))) }, prefix: qrcert)
        }
        try add("08-cwt-not-map", "signed claims are an array", fails: (.decode, .content, "CWT_NOT_MAP")) {
            VectorLayers.encoding(try signed(claims: CBOREncoder.encode(.array([.int(1)]))), prefix: qrcert)
        }
        let badClaims: [(String, String, Int64, CBOR)] = [
            ("08-cwt-bad-iss", "iss is an integer", CWTClaims.Key.iss, .int(7)),
            ("08-cwt-bad-exp", "exp is a text date", CWTClaims.Key.exp, .text("2035-03-01")),
            ("08-cwt-bad-iat", "iat is a byte string", CWTClaims.Key.iat, .bytes([1, 2, 3])),
            ("08-cwt-bad-cti", "cti is text", CWTClaims.Key.cti, .text("cti")),
            ("08-cwt-bad-hcert", "hcert (-260) is text, not a map", CWTClaims.Key.hcert, .text("hcert")),
            ("08-cwt-bad-hcert-entry", "hcert (-260) entry 1 is a byte string, not a map", CWTClaims.Key.hcert, .map([CBORPair(.int(1), .bytes([0xFF]))])),
        ]
        for (name, description, key, value) in badClaims {
            try add(name, description, fails: (.decode, .content, "CWT_BAD_CLAIM")) {
                VectorLayers.encoding(try alteredClaims { claims in
                    claims.removeAll { $0.key == .int(key) }
                    claims.append(CBORPair(.int(key), value))
                }, prefix: qrcert)
            }
        }

        // Step 9: content policy (QC1: only).
        try add("09-content-no-issuer", "no iss claim", fails: (.content, .content, "CWT_NO_ISSUER")) {
            VectorLayers.encoding(try alteredClaims { $0.removeAll { $0.key == .int(CWTClaims.Key.iss) } }, prefix: qrcert)
        }
        try add("09-content-missing", "no credential claim (-70000)", fails: (.content, .content, "CONTENT_MISSING")) {
            VectorLayers.encoding(try alteredClaims { $0.removeAll { $0.key == .int(CWTClaims.Key.credential) } }, prefix: qrcert)
        }
        let contentCases: [(String, String, String, CBOR)] = [
            ("09-content-unknown-type", "credential type vn.xx has no profile", "CONTENT_UNKNOWN_TYPE",
             .map([CBORPair(.int(1), .text("vn.xx")), CBORPair(.int(2), .map([]))])),
            ("09-content-type-not-text", "credential type is an integer", "CONTENT_BAD_RECORD",
             .map([CBORPair(.int(1), .int(1)), CBORPair(.int(2), .map([]))])),
            ("09-content-no-record", "credential without its record", "CONTENT_BAD_RECORD", .map([CBORPair(.int(1), .text("vn.dl"))])),
            ("09-content-record-not-map", "record is an array", "CONTENT_BAD_RECORD",
             .map([CBORPair(.int(1), .text("vn.dl")), CBORPair(.int(2), .array([]))])),
        ]
        for (name, description, code, content) in contentCases {
            try add(name, description, fails: (.content, .content, code)) {
                VectorLayers.encoding(try alteredClaims { claims in
                    claims.removeAll { $0.key == .int(CWTClaims.Key.credential) }
                    claims.append(CBORPair(.int(CWTClaims.Key.credential), content))
                }, prefix: qrcert)
            }
        }
        try add("09-content-unknown-field", "record key 99 is no field of vn.dl", fails: (.content, .content, "CONTENT_UNKNOWN_FIELD")) {
            VectorLayers.encoding(try alteredRecord { $0.append(CBORPair(.int(99), .text("x"))) }, prefix: qrcert)
        }
        try add("09-content-missing-field", "record lacks full_name (key 2)", fails: (.content, .content, "CONTENT_MISSING_FIELD")) {
            VectorLayers.encoding(try alteredRecord { $0.removeAll { $0.key == .int(2) } }, prefix: qrcert)
        }
        try add("09-content-bad-date", "date_of_birth (key 4) is text, not a day number", fails: (.content, .content, "CONTENT_BAD_FIELD")) {
            VectorLayers.encoding(try alteredRecord { record in
                record.removeAll { $0.key == .int(4) }
                record.append(CBORPair(.int(4), .text("1990-04-15")))
            }, prefix: qrcert)
        }
        try add("09-content-bad-enum", "class (key 5) index 15 of 15 values", fails: (.content, .content, "CONTENT_BAD_FIELD")) {
            VectorLayers.encoding(try alteredRecord { record in
                record.removeAll { $0.key == .int(5) }
                record.append(CBORPair(.int(5), .int(15)))
            }, prefix: qrcert)
        }
        try add("09-content-window-mismatch", "exp one day later than the record's expiry date", fails: (.content, .content, "CONTENT_WINDOW_MISMATCH")) {
            VectorLayers.encoding(try alteredClaims { claims in
                claims.removeAll { $0.key == .int(CWTClaims.Key.exp) }
                claims.append(CBORPair(.int(CWTClaims.Key.exp), .int(exp + 86_400)))
            }, prefix: qrcert)
        }

        try add("09-content-bad-issuer", "iss with a trailing space: the issuer trims --issuer, so no issuer writes it",
                fails: (.content, .content, "CWT_BAD_ISSUER")) {
            VectorLayers.encoding(try alteredClaims { claims in
                claims.removeAll { $0.key == .int(CWTClaims.Key.iss) }
                claims.insert(CBORPair(.int(CWTClaims.Key.iss), .text("Sở GTVT Đà Nẵng ")), at: 0)
            }, prefix: qrcert)
        }
        try add("09-content-bad-cti", "cti of 7 bytes: qrcert's cti is exactly 8 (§4.6)", fails: (.content, .content, "CONTENT_BAD_CTI")) {
            VectorLayers.encoding(try alteredClaims { claims in
                guard let index = claims.firstIndex(where: { $0.key == .int(CWTClaims.Key.cti) }) else { return }
                claims[index].value = .bytes([1, 2, 3, 4, 5, 6, 7])
            }, prefix: qrcert)
        }
        try add("09-content-hc1-credential", "HC1: prefix on qrcert claims whose record has an unknown field: the prefix is not signed, so qrcert's content rules still apply",
                fails: (.content, .content, "CONTENT_UNKNOWN_FIELD")) {
            VectorLayers.encoding(try alteredRecord { $0.append(CBORPair(.int(99), .text("x"))) }, prefix: dcc)
        }
        try add("09-content-end-before-start", "expiry_date one day before issue_date, exp equal to nbf: a window only the clock skew could open",
                clock: Timestamp.iso(nbf - 100), fails: (.content, .content, "CONTENT_BAD_FIELD")) {
            VectorLayers.encoding(try alteredClaims { claims in
                Self.editRecord(&claims) { record in
                    guard let from = record.first(where: { $0.key == .int(6) })?.value.int64,
                          let index = record.firstIndex(where: { $0.key == .int(7) }) else { return }
                    record[index].value = .int(from - 1)
                }
                guard let index = claims.firstIndex(where: { $0.key == .int(CWTClaims.Key.exp) }) else { return }
                claims[index].value = .int(nbf)
            }, prefix: qrcert)
        }
        let textCases: [(String, String, CBOR)] = [
            ("09-content-text-not-nfc", "full_name in NFD (decomposed): the issuer writes NFC only", .text("Nguye\u{302}\u{303}n Thi\u{323} Thu Ha\u{300}")),
            ("09-content-text-surrounding-space", "full_name with a trailing space: the issuer trims values", .text("Nguyen Thi Thu Ha ")),
            ("09-content-text-empty", "full_name (required) is the empty string: the issuer never signs an empty value", .text("")),
            ("09-content-text-too-long", "full_name of 101 characters, above its max_length 100", .text(String(repeating: "a", count: 101))),
        ]
        for (name, description, value) in textCases {
            try add(name, description, fails: (.content, .content, "CONTENT_BAD_FIELD")) {
                VectorLayers.encoding(try alteredRecord { record in
                    guard let index = record.firstIndex(where: { $0.key == .int(2) }) else { return }
                    record[index].value = value
                }, prefix: qrcert)
            }
        }

        // Step 10: validity policy.
        try add("10-validity-expired", "clock after exp", clock: "2036-01-01T00:00:00Z", fails: (.expirationCheck, .validity, "CWT_EXPIRED")) {
            goodLayers
        }
        try add("10-validity-expired-at-exp", "clock exactly at exp: expired (RFC 8392: on or after exp)", clock: Timestamp.iso(exp),
                fails: (.expirationCheck, .validity, "CWT_EXPIRED")) { goodLayers }
        try add("10-validity-not-yet-valid", "clock 301 s before nbf, beyond the 300 s skew", clock: Timestamp.iso(nbf - VectorDocument.clockSkew - 1),
                fails: (.expirationCheck, .validity, "CWT_NOT_YET_VALID")) { goodLayers }
        try add("10-validity-no-expiry", "class B licence without exp: only A1, A and B1 may have none",
                fails: (.expirationCheck, .validity, "CWT_NO_EXPIRY")) {
            VectorLayers.encoding(try alteredClaims { claims in
                claims.removeAll { $0.key == .int(CWTClaims.Key.exp) }
                Self.editRecord(&claims) { $0.removeAll { $0.key == .int(7) } }
            }, prefix: qrcert)
        }
        try add("10-validity-cert-window-iat", "HC1: iat before the signer certificate's notBefore", clock: "2025-01-01T00:10:00Z",
                anchor: certAnchor, algorithm: "ES256", fails: (.expirationCheck, .validity, "CERT_WINDOW")) {
            VectorLayers.encoding(try self.dcc(claims: dccClaims(issuedAt: 1_735_689_540)), prefix: dcc)  // 2024-12-31T23:59:00Z
        }
        try add("10-validity-cert-window-exp", "HC1: exp after the signer certificate's notAfter", clock: dccClock,
                anchor: certAnchor, algorithm: "ES256", fails: (.expirationCheck, .validity, "CERT_WINDOW")) {
            VectorLayers.encoding(try self.dcc(claims: dccClaims(expiresAt: 1_893_456_060)), prefix: dcc)  // 2030-01-01T00:01:00Z
        }
        try add("10-validity-cert-window-clock", "HC1: clock before the certificate's notBefore, iat at it (within the skew)",
                clock: "2024-12-31T23:58:00Z", anchor: certAnchor, algorithm: "ES256", fails: (.expirationCheck, .validity, "CERT_WINDOW")) {
            VectorLayers.encoding(try self.dcc(claims: dccClaims(issuedAt: 1_735_689_600)), prefix: dcc)  // 2025-01-01T00:00:00Z
        }

        // Version 2 (QC2:, docs/FORMAT.md §9): the compact encoding, valid and refused.
        try add("valid-qc2-ed25519-licence", "QC2: the class B licence in the compact encoding; the issuer reproduces it byte for byte",
                issued: licenceIssued) { try issue(Self.licence, "vn.dl", encoding: .compact) }
        try add("valid-qc2-ed25519-licence-no-expiry", "QC2: class A1 licence without exp, so without expiry_date",
                clock: "2040-01-01", issued: .init(issuer: Self.issuerName, profile: "vn.dl", record: Self.licenceA1)) {
            try issue(Self.licenceA1, "vn.dl", encoding: .compact)
        }
        try add("valid-qc2-ed25519-transport-permit", "QC2: transport permit, tax code as digits",
                clock: "2031-07-15T00:00:00Z", issued: .init(issuer: Self.issuerName, profile: "vn.tp", record: Self.permit)) {
            try issue(Self.permit, "vn.tp", encoding: .compact)
        }
        try add("valid-qc2-ed25519-free-text", "QC2: a licence number with letters and an authority outside the dictionary stay text",
                issued: .init(issuer: Self.issuerName, profile: "vn.dl", record: Self.licenceFreeText)) {
            try issue(Self.licenceFreeText, "vn.dl", encoding: .compact)
        }
        try add("09-compact-version-mismatch-qc1", "a QC2: (array) credential deflated under QC1:",
                fails: (.content, .content, "COMPACT_VERSION_MISMATCH")) {
            VectorLayers.encoding(try signed(claims: CBOREncoder.encode(compactClaims().encoded())), prefix: qrcert)
        }
        try add("09-compact-version-mismatch-qc2", "a version 1 (map) credential, uncompressed under QC2:",
                fails: (.content, .content, "COMPACT_VERSION_MISMATCH")) {
            VectorLayers.uncompressed(good)
        }
        try add("09-compact-dictionary-value-as-text", "issuing_authority \"Sở GTVT Đà Nẵng\" as VISCII text, though the dictionary lists it",
                fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record = record.map { $0.key == .int(8) ? CBORPair($0.key, .bytes(VISCII.encode("Sở GTVT Đà Nẵng") ?? [])) : $0 }
            }))
        }
        try add("09-compact-dictionary-unknown-index", "issuing_authority 200: past the end of its dictionary",
                fails: (.content, .content, "COMPACT_UNKNOWN_VALUE")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record = record.map { $0.key == .int(8) ? CBORPair($0.key, .int(200)) : $0 }
            }))
        }
        try add("09-compact-digits-as-text", "licence_no as the text \"480123456789\", not as its count and value",
                fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record = record.map { $0.key == .int(1) ? CBORPair($0.key, .text("480123456789")) : $0 }
            }))
        }
        try add("09-compact-digits-leading-zero-byte", "licence_no digits 0c 00 6f c9 96 8d 15: a zero byte before the value",
                fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record = record.map { $0.key == .int(1) ? CBORPair($0.key, .bytes([12, 0, 0x6F, 0xC9, 0x96, 0x8D, 0x15])) : $0 }
            }))
        }
        try add("09-compact-digits-length-mismatch", "licence_no count 11, but 480123456789 has 12 digits",
                fails: (.content, .content, "COMPACT_BAD_DIGITS")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record = record.map { $0.key == .int(1) ? CBORPair($0.key, .bytes([11, 0x6F, 0xC9, 0x96, 0x8D, 0x15])) : $0 }
            }))
        }
        try add("09-compact-record-date-repeated", "issue_date (6) written in the record, though QC2: derives it from iat",
                fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(record: { record in
                record.append(CBORPair(.int(6), .int(CivilDate("2025-03-01")?.daysSinceEpoch ?? 0)))
            }))
        }
        try add("09-compact-nbf-present", "nbf written, though QC2: takes it to be iat", fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(claims: { $0.append(CBORPair(.int(CWTClaims.Key.nbf), .int(nbf))) }))
        }
        try add("09-compact-cti-present", "cti written, though QC2: derives it", fails: (.content, .content, "COMPACT_NOT_CANONICAL")) {
            VectorLayers.uncompressed(try alteredCompact(claims: { $0.append(CBORPair(.int(CWTClaims.Key.cti), .bytes(validity.certificateID ?? []))) }))
        }
        try add("09-compact-iat-not-midnight", "iat one hour after midnight at +07:00: issue_date cannot be derived",
                fails: (.content, .content, "COMPACT_BAD_WINDOW")) {
            VectorLayers.uncompressed(try alteredCompact(claims: { claims in
                claims = claims.map { $0.key == .int(CWTClaims.Key.iat) ? CBORPair($0.key, .int(nbf + 3600)) : $0 }
            }))
        }
        return documents.sorted { $0.name < $1.name }
    }
}

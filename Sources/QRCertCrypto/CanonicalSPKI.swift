internal import COpenSSL

/// The one DER form of a SubjectPublicKeyInfo that qrcert writes and that a key's identity is (docs/FORMAT.md
/// §5.1): a fixed header (algorithm, named curve, bit-string head), then the key's bytes. An SPKI in exactly this
/// form is its own canonical form, and its key can be built from its bytes without libcrypto's decoder and
/// encoder, whose set-up costs about 3.5 million instructions per key (240 million for a trust list of 64 keys;
/// docs/PERFORMANCE.md). Anything else (explicit curve parameters, a compressed point, RSA) goes through them.
enum CanonicalSPKI {
    enum Form: Equatable {
        case p256, p384, ed25519

        /// The key's bytes follow this header (for EC, up to the uncompressed point's 0x04).
        var header: [UInt8] {
            switch self {
            case .p256: CanonicalSPKI.p256Header
            case .p384: CanonicalSPKI.p384Header
            case .ed25519: CanonicalSPKI.ed25519Header
            }
        }

        /// The whole SPKI's length: the header, then the point's two coordinates or Ed25519's 32 bytes.
        var count: Int { header.count + (self == .p256 ? 64 : self == .p384 ? 96 : 32) }

        /// The form of a key of `kind`, if it has one.
        init?(_ kind: EVPKey.Kind) {
            switch kind {
            case .p256: self = .p256
            case .p384: self = .p384
            case .ed25519: self = .ed25519
            default: return nil
            }
        }
    }

    // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 0x00 0x04 ... }
    private static let p256Header: [UInt8] = [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                                              0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04]
    // SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING 0x00 0x04 ... }
    private static let p384Header: [UInt8] = [0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                                              0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00, 0x04]
    // SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING 0x00 ... } (RFC 8410)
    private static let ed25519Header: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The form `der` is in, byte for byte, or nil.
    static func form(of der: [UInt8]) -> Form? {
        for form in [Form.p256, .p384, .ed25519] where der.count == form.count && der.starts(with: form.header) {
            return form
        }
        return nil
    }

    /// The key of `der`, which is in `form`, built from its bytes; nil where libcrypto refuses them (a point not on
    /// the curve, a coordinate out of range), which the decoder then refuses too and names.
    static func key(_ der: [UInt8], form: Form) -> OpaquePointer? {
        let header = form == .ed25519 ? form.header.count : form.header.count - 1  // an EC point keeps its 0x04
        let key = Array(der[header...])
        let made: OpaquePointer?
        switch form {
        case .ed25519:
            made = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, key, key.count)
        case .p256, .p384:
            made = ecKey(group: form == .p256 ? "P-256" : "P-384", point: key)
        }
        if made == nil { LibCrypto.clearErrors() }
        return made
    }

    /// OSSL_PKEY_PARAM_GROUP_NAME and OSSL_PKEY_PARAM_PUB_KEY.
    private static let groupKey: StaticString = "group", publicKeyKey: StaticString = "pub"

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func ecKey(group: String, point: [UInt8]) -> OpaquePointer? {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else { return nil }
        var group = Array(group.utf8CString)
        var point = point
        var key: OpaquePointer?
        let rc = group.withUnsafeMutableBufferPointer { name in
            point.withUnsafeMutableBytes { bytes in
                // An OSSL_PARAM keeps its key's pointer: static text, not a Swift string's temporary copy.
                var params = [
                    OSSL_PARAM_construct_utf8_string(cString(groupKey), name.baseAddress, 0),
                    OSSL_PARAM_construct_octet_string(cString(publicKeyKey), bytes.baseAddress, bytes.count),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_PKEY_fromdata(context, &key, qrcert_evp_pkey_public_key_selection(), &params)
            }
        }
        guard rc == 1 else {
            if let key { EVP_PKEY_free(key) }
            return nil
        }
        return key
    }

    /// The DER of PEM `text` in the strict form of RFC 7468 §2 as `pem` writes it: the BEGIN line, base64 in lines of
    /// 64 (the last one up to 64), the END line, and nothing else but a final newline; nil for anything else (a
    /// header, other line lengths, CR, text around the block), which libcrypto's PEM reader then reads.
    static func der(pem text: String) -> [UInt8]? {
        let begin = "-----BEGIN PUBLIC KEY-----\n", end = "\n-----END PUBLIC KEY-----"
        guard text.hasPrefix(begin) else { return nil }
        let rest = text[text.index(text.startIndex, offsetBy: begin.count)...]
        guard let endRange = rest.firstRange(of: end) else { return nil }
        let after = rest[endRange.upperBound...]
        guard after.isEmpty || after == "\n" else { return nil }
        var body: [UInt8] = []
        var line = 0, padding = 0
        for byte in rest[..<endRange.lowerBound].utf8 {
            if byte == 0x0A {
                guard line == 64 else { return nil }  // only the last line may be shorter, and it ends at END
                line = 0
                continue
            }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "+"), UInt8(ascii: "/"):
                guard padding == 0 else { return nil }
            case UInt8(ascii: "="):
                padding += 1
            default:
                return nil
            }
            body.append(byte)
            line += 1
            guard line <= 64 else { return nil }
        }
        guard line > 0, !body.isEmpty, body.count % 4 == 0, padding <= 2 else { return nil }
        var out = [UInt8](repeating: 0, count: body.count / 4 * 3)
        guard Int(EVP_DecodeBlock(&out, body, Int32(body.count))) == out.count else { return nil }
        return Array(out.dropLast(padding))
    }

    /// `der` as PEM (`-----BEGIN PUBLIC KEY-----`, base64 in lines of 64), as `PEM_write_bio_PUBKEY` writes it.
    static func pem(_ der: [UInt8]) -> String {
        var base64 = [UInt8](repeating: 0, count: 4 * ((der.count + 2) / 3) + 1)
        let written = Int(EVP_EncodeBlock(&base64, der, Int32(der.count)))
        var text = "-----BEGIN PUBLIC KEY-----\n"
        var start = 0
        while start < written {
            let end = min(start + 64, written)
            text += String(decoding: base64[start..<end], as: UTF8.self)
            text += "\n"
            start = end
        }
        return text + "-----END PUBLIC KEY-----\n"
    }
}

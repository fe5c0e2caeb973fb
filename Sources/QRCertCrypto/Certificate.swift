internal import COpenSSL
import QRCertFormat

/// An X.509 signer certificate used as a trust anchor (EU DCC style).
///
/// Parsed with libcrypto's `d2i_X509`, which accepts the not-quite-DER found in the EU DCC test
/// suite (explicit cA=FALSE, empty extended key usage). Only the certificate is read: no chain,
/// signature or validity check happens here; those are the verifier's policies.
public final class Certificate: Sendable {
    /// The certificate exactly as given.
    public let derBytes: [UInt8]
    /// DCC rule: kid = first 8 bytes of SHA-256 over the certificate DER.
    public let keyID: [UInt8]
    /// The subject public key.
    public let publicKey: PublicKey
    /// Start of validity, seconds since 1970 UTC.
    public let notBefore: Int64
    /// End of validity, seconds since 1970 UTC.
    public let notAfter: Int64
    /// The subject as one line, RFC 2253 order and escaping, UTF-8 left readable.
    public let subject: String
    /// The extended key usage purposes as dotted OIDs, in certificate order; empty when absent.
    ///
    /// The EU DCC marks signers limited to one certificate type with 1.3.6.1.4.1.1847.2021.1.1
    /// (test), .1.2 (vaccination) and .1.3 (recovery).
    public let extendedKeyUsage: [String]
    /// Why the certificate cannot sign payloads, or nil when it can: a CA certificate (basicConstraints cA)
    /// certifies keys and signs nothing else, and a keyUsage extension without digitalSignature forbids
    /// signatures over data (RFC 5280 §4.2.1.3, §4.2.1.9). No keyUsage at all leaves every use open.
    public let signerProblem: String?

    private init(der bytes: [UInt8], x509: X509Certificate) throws(QRCertError) {
        let stage = QRCertError.Stage.trust, code = "CERT_BAD_DER"
        derBytes = bytes
        keyID = Array(Digest.sha256(bytes).prefix(8))
        guard let pkey = X509_get_pubkey(x509.pointer) else {
            LibCrypto.clearErrors()
            throw QRCertError(stage, "CERT_BAD_KEY", "certificate public key cannot be read")
        }
        publicKey = try PublicKey(key: EVPKey(taking: pkey))
        notBefore = try Self.seconds(X509_get0_notBefore(x509.pointer), field: "notBefore")
        notAfter = try Self.seconds(X509_get0_notAfter(x509.pointer), field: "notAfter")
        let bio = try MemoryBIO(stage: stage, code: code)
        let name = try LibCrypto.notNull(X509_get_subject_name(x509.pointer), "X509_get_subject_name", stage, code)
        guard X509_NAME_print_ex(bio.bio, name, 0, qrcert_xn_flags_rfc2253_utf8()) >= 0 else {
            throw LibCrypto.failure("X509_NAME_print_ex", stage, code)
        }
        subject = bio.text()
        extendedKeyUsage = try Self.extendedKeyUsage(of: x509)
        // Both calls cache the extensions first (X509_check_purpose), which may leave errors on the queue.
        let flags = X509_get_extension_flags(x509.pointer), usage = X509_get_key_usage(x509.pointer)
        LibCrypto.clearErrors()
        if flags & UInt32(EXFLAG_CA) != 0 {
            signerProblem = "it is a CA certificate (basicConstraints cA), which certifies keys and signs nothing else"
        } else if usage != UInt32.max && usage & UInt32(KU_DIGITAL_SIGNATURE) == 0 {
            signerProblem = "its keyUsage lacks digitalSignature"
        } else {
            signerProblem = nil
        }
    }

    /// One certificate from DER; trailing bytes are rejected (CERT_BAD_DER, stage .trust).
    public static func der(_ bytes: [UInt8]) throws(QRCertError) -> Certificate {
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else { return nil }
            guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                X509_free(x509)
                return nil
            }
            return x509
        }
        guard let parsed else {
            LibCrypto.clearErrors()
            throw QRCertError(.trust, "CERT_BAD_DER", "certificate is not a DER X.509 certificate")
        }
        return try Certificate(der: bytes, x509: X509Certificate(taking: parsed))
    }

    /// Every `-----BEGIN CERTIFICATE-----` block of `text`, in order.
    ///
    /// Text between blocks is ignored; no block -> CERT_BAD_PEM; another kind of block (a key, say)
    /// -> CERT_BAD_PEM, since a trust file holds certificates only.
    public static func all(pem text: String) throws(QRCertError) -> [Certificate] {
        let bio = try MemoryBIO(reading: text, stage: .trust, code: "CERT_BAD_PEM")
        var found: [Certificate] = []
        while true {
            var name: UnsafeMutablePointer<CChar>?
            var header: UnsafeMutablePointer<CChar>?
            var data: UnsafeMutablePointer<UInt8>?
            var length = 0
            let rc = PEM_read_bio(bio.bio, &name, &header, &data, &length)
            defer {
                qrcert_openssl_free(name)
                qrcert_openssl_free(header)
                qrcert_openssl_free(data)
            }
            guard rc == 1, let name, let data else {
                // End of input reads as PEM_R_NO_START_LINE; anything else is a broken block.
                let reason = ERR_GET_REASON(ERR_peek_last_error())
                LibCrypto.clearErrors()
                if reason == PEM_R_NO_START_LINE && !found.isEmpty { return found }
                throw QRCertError(
                    .trust, "CERT_BAD_PEM",
                    found.isEmpty && reason == PEM_R_NO_START_LINE
                        ? "no certificate found in PEM text"
                        : "PEM block \(found.count + 1) cannot be read",
                    hint: "expected blocks starting with -----BEGIN CERTIFICATE-----")
            }
            let label = String(cString: name)
            guard label == "CERTIFICATE" else {
                throw QRCertError(
                    .trust, "CERT_BAD_PEM", "PEM block \(found.count + 1) is '\(label)', not a certificate",
                    hint: "a trust file holds certificates only")
            }
            do {
                found.append(try Certificate.der(Array(UnsafeBufferPointer(start: data, count: length))))
            } catch {
                throw error.located("PEM block \(found.count + 1)")
            }
        }
    }

    private static func seconds(_ time: UnsafePointer<ASN1_TIME>?, field: String) throws(QRCertError) -> Int64 {
        let stage = QRCertError.Stage.trust, code = "CERT_BAD_DER"
        let epoch = try LibCrypto.notNull(ASN1_TIME_set(nil, 0), "ASN1_TIME_set", stage, code)
        defer { ASN1_TIME_free(epoch) }
        var days: Int32 = 0
        var seconds: Int32 = 0
        guard let time, ASN1_TIME_diff(&days, &seconds, epoch, time) == 1 else {
            throw LibCrypto.failure("ASN1_TIME_diff", stage, code, message: "certificate \(field) is not a valid time")
        }
        return Int64(days) * 86_400 + Int64(seconds)
    }

    private static func extendedKeyUsage(of x509: X509Certificate) throws(QRCertError) -> [String] {
        var critical: Int32 = 0
        guard let raw = X509_get_ext_d2i(x509.pointer, NID_ext_key_usage, &critical, nil) else {
            // -1: absent, which is fine; -2: present more than once; otherwise: malformed.
            LibCrypto.clearErrors()
            guard critical == -1 else {
                throw QRCertError(.trust, "CERT_BAD_DER", "certificate extended key usage cannot be read")
            }
            return []
        }
        let stack = OpaquePointer(raw)
        defer { EXTENDED_KEY_USAGE_free(stack) }
        var purposes: [String] = []
        var buffer = [CChar](repeating: 0, count: 128)
        for index in 0..<OPENSSL_sk_num(stack) {
            let object = OpaquePointer(OPENSSL_sk_value(stack, index))
            let count = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
            guard count > 0, Int(count) < buffer.count else {
                throw LibCrypto.failure("OBJ_obj2txt", .trust, "CERT_BAD_DER")
            }
            purposes.append(String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return purposes
    }
}

/// Owns one `X509`.
private final class X509Certificate {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }
}

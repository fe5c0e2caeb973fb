internal import CPKCS11
import QRCertFormat

/// The curves qrcert signs with in a token, as PKCS#11 names them (CKA_EC_PARAMS), and the public key
/// a token's CKA_EC_POINT makes.
enum TokenCurve {
    /// DER OID prime256v1 (1.2.840.10045.3.1.7).
    static let p256OID: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    /// PrintableString "edwards25519", the form PKCS#11 3.0 §2.3.10 names and SoftHSM2 and pkcs11-tool write.
    static let ed25519Name: [UInt8] = [0x13, 0x0C] + Array("edwards25519".utf8)
    /// DER OID id-Ed25519 (1.3.101.112, RFC 8410).
    static let ed25519OID: [UInt8] = [0x06, 0x03, 0x2B, 0x65, 0x70]
    /// DER OID 1.3.6.1.4.1.11591.15.1, GnuPG's name for Ed25519, which some tokens use.
    static let ed25519GnuOID: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01]

    static func isP256(_ params: [UInt8]) -> Bool { params == p256OID }

    static func isEd25519(_ params: [UInt8]) -> Bool {
        params == ed25519Name || params == ed25519OID || params == ed25519GnuOID
    }

    /// The SubjectPublicKeyInfo for `point` (CKA_EC_POINT: a DER OCTET STRING, or the bare point some
    /// tokens return) on the curve `params`; parsed by libcrypto, which checks the point is on the curve.
    static func publicKey(params: [UInt8], point: [UInt8], name: String) throws(QRCertError) -> PublicKey {
        let width = isP256(params) ? 65 : isEd25519(params) ? 32 : 0
        guard width > 0 else {
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "the public key beside \(name) is on a curve qrcert does not sign with")
        }
        var raw = point
        if point.count == width + 2 && point[0] == 0x04 && Int(point[1]) == width { raw = Array(point[2...]) }
        guard raw.count == width else {
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "the public key beside \(name) has a \(point.count)-byte CKA_EC_POINT qrcert cannot read")
        }
        // SEQUENCE { AlgorithmIdentifier, BIT STRING (no unused bits) point } (RFC 5480 §2, RFC 8410 §4).
        let algorithm: [UInt8] = width == 65
            ? [0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01] + p256OID
            : [0x30, 0x05] + ed25519OID
        let bits: [UInt8] = [0x03, UInt8(raw.count + 1), 0x00] + raw
        let spki = [0x30, UInt8(algorithm.count + bits.count)] + algorithm + bits
        do throws(QRCertError) {
            return try PublicKey.der(spki)
        } catch {
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "the public key beside \(name) is not a valid point: \(error.message)")
        }
    }

    /// "RSA", "EC P-384", "Ed448" ...: what a token key is, for PKCS11_KEY_TYPE messages.
    static func describe(_ keyType: CK_ULONG, params: [UInt8]?) -> String {
        switch keyType {
        case CK_ULONG(CKK_RSA): return "an RSA key"
        case CK_ULONG(CKK_DSA): return "a DSA key"
        case CK_ULONG(CKK_DH): return "a Diffie-Hellman key"
        case CK_ULONG(CKK_EC):
            let curves: [[UInt8]: String] = [
                [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]: "P-384", [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]: "P-521",
                [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A]: "secp256k1",
            ]
            return "an EC key on " + (params.flatMap { curves[$0] } ?? "a curve other than P-256")
        case CK_ULONG(CKK_EC_EDWARDS): return "an Edwards key other than Ed25519"
        case CK_ULONG.max: return "a key of unknown type"
        default: return "a key of type 0x" + String(keyType, radix: 16)
        }
    }
}

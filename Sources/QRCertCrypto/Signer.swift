import QRCertFormat

/// Something that signs with one private key, wherever the key is: a PEM key in memory (`PrivateKey`)
/// or a key that never leaves a PKCS#11 token (`TokenKey`). The issuer and the list signers take any.
///
/// Implementations are thread-safe: `sign` is called from every worker thread at once.
public protocol Signer: Sendable {
    /// The one algorithm the key signs with.
    var algorithm: SignatureAlgorithm { get }
    /// The public half, which gives the kid and checks each signature right after it is made.
    var publicKey: PublicKey { get }
    /// The COSE-form signature over `message` (r||s of fixed width for ECDSA, raw Ed25519).
    func sign(_ message: [UInt8]) throws(QRCertError) -> [UInt8]
}

extension Signer {
    /// The length in bytes of every signature `sign` returns: r||s for ECDSA (64 for ES256, 96 for ES384), 64 for
    /// Ed25519, the modulus size for PS256. A payload without zlib therefore has a length known before signing.
    public var signatureLength: Int { algorithm.ecdsaScalarWidth.map { 2 * $0 } ?? publicKey.signatureCount }
}

extension PrivateKey: Signer {}

internal import CPKCS11
import QRCertFormat
import Synchronization

/// A signing key held in a PKCS#11 token (an HSM, a smart card, SoftHSM2): the private key never leaves it.
///
/// ES256 signs with CKM_ECDSA over the SHA-256 digest computed here (the token returns r||s, the COSE form);
/// EdDSA signs with CKM_EDDSA over the whole message. The public key is read from the token's public key
/// object (CKA_EC_PARAMS, CKA_EC_POINT), so the kid is the SPKI kid a PEM key of the same pair would have.
///
/// Sessions: one per concurrent signer, taken from an idle list and given back, so `--jobs N` runs N
/// signatures in parallel as far as the token allows and no session is ever used by two threads at once
/// (PKCS#11 §5.1.5). One extra session is held open for the object's life: the login belongs to the
/// application and ends when its last session closes.
public final class TokenKey: Signer, @unchecked Sendable {
    /// ES256 or EdDSA, from the key type and curve.
    public let algorithm: SignatureAlgorithm
    /// Read from the token's public key object.
    public let publicKey: PublicKey
    /// The key as a URI without the query (for messages): `pkcs11:token=…;object=…;id=…`.
    public let name: String

    private let module: PKCS11Module
    private let slot: CK_SLOT_ID
    private let key: CK_OBJECT_HANDLE
    private let mechanism: CK_MECHANISM_TYPE
    /// Holds the login; never used to sign.
    private let loginSession: CK_SESSION_HANDLE
    private let idle = Mutex<[CK_SESSION_HANDLE]>([])

    /// Finds the private key `uri` names and logs in with `pin` when the token asks for one.
    ///
    /// `modulePath` is used when the URI has no `module-path`. Errors (stage .key): PKCS11_MODULE,
    /// PKCS11_TOKEN_NOT_FOUND, PKCS11_PIN_REQUIRED (no PIN and the token needs one), PKCS11_PIN_INCORRECT,
    /// PKCS11_OBJECT_NOT_FOUND, PKCS11_AMBIGUOUS, PKCS11_KEY_TYPE, PKCS11_FAILED.
    public static func open(_ uri: PKCS11URI, modulePath: String?, pin: [UInt8]?) throws(QRCertError) -> TokenKey {
        let token = try Token.open(uri, modulePath: modulePath, pin: pin, readWrite: false)
        do throws(QRCertError) {
            return try TokenKey(token: token, uri: uri)
        } catch {
            token.close()
            throw error
        }
    }

    /// Makes a new key pair in the token (C_GenerateKeyPair): P-256 for .es256, Ed25519 for .edDSA, private
    /// and never extractable, labelled `uri.object`. Without `id=` in the URI, CKA_ID is set to the kid.
    /// A key already labelled so (or with that id) -> PKCS11_KEY_EXISTS.
    public static func generate(_ uri: PKCS11URI, modulePath: String?, pin: [UInt8]?,
                                algorithm: SignatureAlgorithm) throws(QRCertError) -> TokenKey {
        guard let label = uri.object else {
            throw QRCertError(.key, "PKCS11_URI", "bad PKCS#11 URI: a new key needs a label (object=)",
                              hint: "e.g. pkcs11:token=LABEL;object=danang-2026")
        }
        let curve: [UInt8], generator: CK_MECHANISM_TYPE
        switch algorithm {
        case .es256: (curve, generator) = (TokenCurve.p256OID, CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN))
        case .edDSA: (curve, generator) = (TokenCurve.ed25519Name, CK_MECHANISM_TYPE(CKM_EC_EDWARDS_KEY_PAIR_GEN))
        default:
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "qrcert makes ES256 (P-256) or Ed25519 keys in a token, not \(algorithm.name)")
        }
        let token = try Token.open(uri, modulePath: modulePath, pin: pin, readWrite: true)
        defer { token.close() }
        let name = uri.keyName
        for objectClass in [CKO_PRIVATE_KEY, CKO_PUBLIC_KEY] {
            var template: [(CK_ATTRIBUTE_TYPE, [UInt8])] = [(CK_ATTRIBUTE_TYPE(CKA_CLASS), TokenValue.ulong(objectClass)),
                                                           (CK_ATTRIBUTE_TYPE(CKA_LABEL), Array(label.utf8))]
            if !(try token.find(template)).isEmpty {
                throw QRCertError(.key, "PKCS11_KEY_EXISTS", "the token already has a key labelled \(label)",
                                  hint: "pick another object= label, or use the existing key")
            }
            if let id = uri.id {
                template[1] = (CK_ATTRIBUTE_TYPE(CKA_ID), id)
                if !(try token.find(template)).isEmpty {
                    throw QRCertError(.key, "PKCS11_KEY_EXISTS", "the token already has a key with the id of \(name)")
                }
            }
        }
        let yes = TokenValue.bool(true), no = TokenValue.bool(false)
        var common: [(CK_ATTRIBUTE_TYPE, [UInt8])] = [(CK_ATTRIBUTE_TYPE(CKA_TOKEN), yes), (CK_ATTRIBUTE_TYPE(CKA_LABEL), Array(label.utf8))]
        if let id = uri.id { common.append((CK_ATTRIBUTE_TYPE(CKA_ID), id)) }
        let publicTemplate = TokenTemplate(common + [(CK_ATTRIBUTE_TYPE(CKA_VERIFY), yes), (CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS), curve)])
        let privateTemplate = TokenTemplate(common + [
            (CK_ATTRIBUTE_TYPE(CKA_SIGN), yes), (CK_ATTRIBUTE_TYPE(CKA_PRIVATE), yes), (CK_ATTRIBUTE_TYPE(CKA_SENSITIVE), yes),
            (CK_ATTRIBUTE_TYPE(CKA_EXTRACTABLE), no),
        ])
        var mechanism = CK_MECHANISM(mechanism: generator, pParameter: nil, ulParameterLen: 0)
        var publicHandle = CK_OBJECT_HANDLE(0), privateHandle = CK_OBJECT_HANDLE(0)
        let generate = try token.module.function(token.module.functions.pointee.C_GenerateKeyPair, "C_GenerateKeyPair")
        let rv = publicTemplate.withAttributes { publicAttributes, publicCount in
            privateTemplate.withAttributes { privateAttributes, privateCount in
                generate(token.session, &mechanism, publicAttributes, publicCount, privateAttributes, privateCount,
                         &publicHandle, &privateHandle)
            }
        }
        try token.module.check(rv, "C_GenerateKeyPair", .key, "PKCS11_FAILED", "cannot make a key pair in \(name)")
        var named = uri
        if uri.id == nil {
            // CKA_ID = kid: `pkcs11-tool --list-objects` then shows the id verifiers know the key by.
            let point = try token.attribute(publicHandle, CK_ATTRIBUTE_TYPE(CKA_EC_POINT)) ?? []
            let kid = try TokenCurve.publicKey(params: curve, point: point, name: name).keyID
            let setAttribute = try token.module.function(token.module.functions.pointee.C_SetAttributeValue, "C_SetAttributeValue")
            for handle in [publicHandle, privateHandle] {
                let template = TokenTemplate([(CK_ATTRIBUTE_TYPE(CKA_ID), kid)])
                let rv = template.withAttributes { attributes, count in setAttribute(token.session, handle, attributes, count) }
                try token.module.check(rv, "C_SetAttributeValue", .key, "PKCS11_FAILED", "cannot set the id of the new key in \(name)")
            }
            named.id = kid
        }
        return try open(named, modulePath: modulePath, pin: pin)
    }

    private init(token: Token, uri: PKCS11URI) throws(QRCertError) {
        let name = uri.keyName
        var template: [(CK_ATTRIBUTE_TYPE, [UInt8])] = [(CK_ATTRIBUTE_TYPE(CKA_CLASS), TokenValue.ulong(CKO_PRIVATE_KEY))]
        if let label = uri.object { template.append((CK_ATTRIBUTE_TYPE(CKA_LABEL), Array(label.utf8))) }
        if let id = uri.id { template.append((CK_ATTRIBUTE_TYPE(CKA_ID), id)) }
        let found = try token.find(template)
        guard let key = found.first else {
            throw QRCertError(.key, "PKCS11_OBJECT_NOT_FOUND", "no private key \(name) in the token",
                              hint: "list the token's keys with: pkcs11-tool --module \(token.module.path) --login --list-objects")
        }
        guard found.count == 1 else {
            throw QRCertError(.key, "PKCS11_AMBIGUOUS", "\(found.count) private keys match \(name)",
                              hint: "name one key: add id= (or a unique object=) to the URI")
        }
        let keyType = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE)).map(TokenValue.ulong(from:)) ?? CK_ULONG.max
        let privateParams = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS))
        let algorithm: SignatureAlgorithm
        switch keyType {
        case CK_ULONG(CKK_EC) where privateParams.map(TokenCurve.isP256) ?? true:
            (algorithm, mechanism) = (.es256, CK_MECHANISM_TYPE(CKM_ECDSA))
        case CK_ULONG(CKK_EC_EDWARDS) where privateParams.map(TokenCurve.isEd25519) ?? true:
            (algorithm, mechanism) = (.edDSA, CK_MECHANISM_TYPE(CKM_EDDSA))
        default:
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "token key \(name) is \(TokenCurve.describe(keyType, params: privateParams)); qrcert signs with P-256 (ES256) or Ed25519 keys",
                              hint: "make one with: qrcert keygen --pkcs11 '\(name)' --alg es256")
        }
        if let allowed = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_SIGN)), allowed.first == 0 {
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "token key \(name) may not sign (CKA_SIGN is false)")
        }
        publicKey = try Self.publicKey(of: key, in: token, name: name)
        guard publicKey.algorithms.contains(algorithm) else {
            throw QRCertError(.key, "PKCS11_KEY_TYPE", "the public key beside \(name) is \(publicKey.typeDescription), not the private key's type")
        }
        self.algorithm = algorithm
        self.name = name
        self.key = key
        module = token.module
        slot = token.slot
        loginSession = token.session
    }

    deinit {
        let closeSession = module.functions.pointee.C_CloseSession
        for session in idle.withLock({ $0 }) { _ = closeSession?(session) }
        _ = closeSession?(loginSession)
    }

    /// Signs `message` in the token; a failure (the token removed, the module failing) is PKCS11_SIGN, stage .sign.
    public func sign(_ message: [UInt8]) throws(QRCertError) -> [UInt8] {
        let session = try takeSession()
        var data = mechanism == CK_MECHANISM_TYPE(CKM_ECDSA) ? Digest.sha256(message) : message
        var signature = [UInt8](repeating: 0, count: 64)
        var count = CK_ULONG(signature.count)
        var mechanism = CK_MECHANISM(mechanism: self.mechanism, pParameter: nil, ulParameterLen: 0)
        let functions = module.functions.pointee
        var rv = functions.C_SignInit?(session, &mechanism, key) ?? CK_RV(CKR_FUNCTION_NOT_SUPPORTED)
        var function: StaticString = "C_SignInit"
        if rv == CK_RV(CKR_OK) {
            function = "C_Sign"
            rv = data.withUnsafeMutableBufferPointer { input in
                functions.C_Sign?(session, input.baseAddress, CK_ULONG(input.count), &signature, &count)
            } ?? CK_RV(CKR_FUNCTION_NOT_SUPPORTED)
        }
        guard rv == CK_RV(CKR_OK), count == 64 else {
            // A session that failed is not reused: after CKR_DEVICE_REMOVED or a module error its state is unknown.
            _ = functions.C_CloseSession?(session)
            if rv == CK_RV(CKR_OK) {
                throw QRCertError(.sign, "PKCS11_SIGN", "token \(name) returned a \(count)-byte signature, not 64")
            }
            throw QRCertError(.sign, "PKCS11_SIGN", "token \(name) failed to sign: \(function) returned \(PKCS11Module.name(rv))",
                              hint: "check that the token is still present; with --out, run the same command with --resume to finish")
        }
        idle.withLock { $0.append(session) }
        return signature
    }

    /// An idle session, or a new one (sessions are never shared between threads).
    private func takeSession() throws(QRCertError) -> CK_SESSION_HANDLE {
        if let session = idle.withLock({ $0.popLast() }) { return session }
        var session = CK_SESSION_HANDLE(0)
        let open = try module.function(module.functions.pointee.C_OpenSession, "C_OpenSession")
        try module.check(open(slot, CK_FLAGS(CKF_SERIAL_SESSION), nil, nil, &session), "C_OpenSession", .sign, "PKCS11_SIGN",
                         "cannot open a session with token \(name)", hint: "check that the token is still present")
        return session
    }

    /// The public key object beside `key` (same CKA_ID, else same label), or the private key's CKA_PUBLIC_KEY_INFO.
    private static func publicKey(of key: CK_OBJECT_HANDLE, in token: Token, name: String) throws(QRCertError) -> PublicKey {
        var candidates: [CK_OBJECT_HANDLE] = []
        let publicClass = (CK_ATTRIBUTE_TYPE(CKA_CLASS), TokenValue.ulong(CKO_PUBLIC_KEY))
        if let id = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_ID)), !id.isEmpty {
            candidates = try token.find([publicClass, (CK_ATTRIBUTE_TYPE(CKA_ID), id)])
        }
        if candidates.isEmpty, let label = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_LABEL)), !label.isEmpty {
            candidates = try token.find([publicClass, (CK_ATTRIBUTE_TYPE(CKA_LABEL), label)])
        }
        if candidates.count == 1,
           let params = try token.attribute(candidates[0], CK_ATTRIBUTE_TYPE(CKA_EC_PARAMS)),
           let point = try token.attribute(candidates[0], CK_ATTRIBUTE_TYPE(CKA_EC_POINT)) {
            return try TokenCurve.publicKey(params: params, point: point, name: name)
        }
        if let info = try token.attribute(key, CK_ATTRIBUTE_TYPE(CKA_PUBLIC_KEY_INFO)), !info.isEmpty {
            do throws(QRCertError) {
                return try PublicKey.der(info)
            } catch {
                throw QRCertError(.key, "PKCS11_KEY_TYPE", "token key \(name) has a public key info qrcert cannot read")
            }
        }
        throw QRCertError(.key, "PKCS11_OBJECT_NOT_FOUND",
                          candidates.isEmpty ? "no public key beside \(name) in the token (same id or label)" : "\(candidates.count) public keys match \(name)",
                          hint: "the kid comes from the public key: keep the public key object in the token beside the private key")
    }
}

extension PKCS11URI {
    /// The URI without its query, naming the key in messages.
    var keyName: String {
        var bare = self
        bare.modulePath = nil
        bare.pinSource = nil
        return bare.description
    }
}

internal import CPKCS11
import QRCertFormat

/// A token found by a PKCS#11 URI, with one session open and the user logged in when the token asks it.
///
/// Short-lived: `TokenKey` takes over its session (which then holds the login) or `close()` ends it.
final class Token {
    let module: PKCS11Module
    let slot: CK_SLOT_ID
    let session: CK_SESSION_HANDLE
    /// The token's label, for messages.
    let label: String

    /// Loads the module, finds the one token matching `uri`, opens a session and logs in.
    static func open(_ uri: PKCS11URI, modulePath: String?, pin: [UInt8]?, readWrite: Bool) throws(QRCertError) -> Token {
        guard let path = uri.modulePath ?? modulePath else {
            throw QRCertError(.key, "PKCS11_MODULE", "no PKCS#11 module for \(uri.keyName)",
                              hint: "give --pkcs11-module PATH or module-path=PATH in the URI (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)")
        }
        let module = try PKCS11Module.load(path)
        let functions = module.functions.pointee
        let (slot, info) = try findSlot(uri, module: module)
        let label = TokenValue.padded(info.label)
        var session = CK_SESSION_HANDLE(0)
        let flags = CK_FLAGS(CKF_SERIAL_SESSION) | (readWrite ? CK_FLAGS(CKF_RW_SESSION) : 0)
        let openSession = try module.function(functions.C_OpenSession, "C_OpenSession")
        try module.check(openSession(slot, flags, nil, nil, &session), "C_OpenSession", .key, "PKCS11_FAILED",
                         "cannot open a session with token \(label)")
        let token = Token(module: module, slot: slot, session: session, label: label)
        do throws(QRCertError) {
            try token.login(info.flags, pin: pin)
        } catch {
            token.close()
            throw error
        }
        return token
    }

    private init(module: PKCS11Module, slot: CK_SLOT_ID, session: CK_SESSION_HANDLE, label: String) {
        self.module = module
        self.slot = slot
        self.session = session
        self.label = label
    }

    /// Ends the session (and with the last one, the login).
    func close() {
        _ = module.functions.pointee.C_CloseSession?(session)
    }

    private func login(_ flags: CK_FLAGS, pin: [UInt8]?) throws(QRCertError) {
        guard flags & CK_FLAGS(CKF_LOGIN_REQUIRED) != 0 else { return }
        let login = try module.function(module.functions.pointee.C_Login, "C_Login")
        let rv: CK_RV
        if flags & CK_FLAGS(CKF_PROTECTED_AUTHENTICATION_PATH) != 0 && pin == nil {
            // A PIN pad: the token asks the holder itself.
            rv = login(session, CK_USER_TYPE(CKU_USER), nil, 0)
        } else {
            guard var pin else {
                throw QRCertError(.key, "PKCS11_PIN_REQUIRED", "token \(label) needs a PIN and none was given",
                                  hint: "give it with --pin-file, --pin-env or pin-source=file:PATH in the URI, or run on a terminal to be asked")
            }
            rv = pin.withUnsafeMutableBufferPointer { login(session, CK_USER_TYPE(CKU_USER), $0.baseAddress, CK_ULONG($0.count)) }
        }
        switch rv {
        case CK_RV(CKR_OK), CK_RV(CKR_USER_ALREADY_LOGGED_IN):
            return
        case CK_RV(CKR_PIN_INCORRECT), CK_RV(CKR_PIN_INVALID), CK_RV(CKR_PIN_LEN_RANGE):
            throw QRCertError(.key, "PKCS11_PIN_INCORRECT", "wrong PIN for token \(label)",
                              hint: "tokens lock after a few wrong PINs: check the PIN before trying again")
        default:
            try module.check(rv, "C_Login", .key, "PKCS11_FAILED", "cannot log in to token \(label)")
        }
    }

    /// Every object matching `template` (at most 16: more is ambiguous anyway).
    func find(_ template: [(CK_ATTRIBUTE_TYPE, [UInt8])]) throws(QRCertError) -> [CK_OBJECT_HANDLE] {
        let functions = module.functions.pointee
        let begin = try module.function(functions.C_FindObjectsInit, "C_FindObjectsInit")
        let next = try module.function(functions.C_FindObjects, "C_FindObjects")
        let end = try module.function(functions.C_FindObjectsFinal, "C_FindObjectsFinal")
        let attributes = TokenTemplate(template)
        let rv = attributes.withAttributes { begin(session, $0, $1) }
        try module.check(rv, "C_FindObjectsInit", .key, "PKCS11_FAILED", "cannot search token \(label)")
        var handles = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        var count = CK_ULONG(0)
        let found = next(session, &handles, CK_ULONG(handles.count), &count)
        _ = end(session)
        try module.check(found, "C_FindObjects", .key, "PKCS11_FAILED", "cannot search token \(label)")
        return Array(handles.prefix(Int(count)))
    }

    /// The value of attribute `type` of `object`; nil when the object has no such attribute or keeps it secret.
    func attribute(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws(QRCertError) -> [UInt8]? {
        let read = try module.function(module.functions.pointee.C_GetAttributeValue, "C_GetAttributeValue")
        var attribute = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        let rv = read(session, object, &attribute, 1)
        if rv == CK_RV(CKR_ATTRIBUTE_TYPE_INVALID) || rv == CK_RV(CKR_ATTRIBUTE_SENSITIVE) { return nil }
        try module.check(rv, "C_GetAttributeValue", .key, "PKCS11_FAILED", "cannot read a key attribute in token \(label)")
        guard attribute.ulValueLen != CK_ULONG.max else { return nil }  // CK_UNAVAILABLE_INFORMATION
        var value = [UInt8](repeating: 0, count: Int(attribute.ulValueLen))
        let second: CK_RV = value.withUnsafeMutableBytes { buffer in
            attribute.pValue = buffer.baseAddress
            return read(session, object, &attribute, 1)
        }
        try module.check(second, "C_GetAttributeValue", .key, "PKCS11_FAILED", "cannot read a key attribute in token \(label)")
        return Array(value.prefix(Int(attribute.ulValueLen)))
    }

    /// The one present token matching the URI's token attributes (any token when it has none).
    private static func findSlot(_ uri: PKCS11URI, module: PKCS11Module) throws(QRCertError) -> (CK_SLOT_ID, CK_TOKEN_INFO) {
        let functions = module.functions.pointee
        let list = try module.function(functions.C_GetSlotList, "C_GetSlotList")
        let tokenInfo = try module.function(functions.C_GetTokenInfo, "C_GetTokenInfo")
        var count = CK_ULONG(0)
        try module.check(list(CK_BBOOL(CK_TRUE), nil, &count), "C_GetSlotList", .key, "PKCS11_FAILED", "cannot list the tokens of \(module.path)")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try module.check(list(CK_BBOOL(CK_TRUE), &slots, &count), "C_GetSlotList", .key, "PKCS11_FAILED", "cannot list the tokens of \(module.path)")
        var matches: [(CK_SLOT_ID, CK_TOKEN_INFO)] = []
        var labels: [String] = []
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            try module.check(tokenInfo(slot, &info), "C_GetTokenInfo", .key, "PKCS11_FAILED", "cannot read the token in slot \(slot)")
            // An uninitialised token (SoftHSM2 always offers one free slot) holds no key.
            guard info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0 else { continue }
            let label = TokenValue.padded(info.label)
            labels.append(label)
            if let wanted = uri.token, wanted != label { continue }
            if let wanted = uri.manufacturer, wanted != TokenValue.padded(info.manufacturerID) { continue }
            if let wanted = uri.model, wanted != TokenValue.padded(info.model) { continue }
            if let wanted = uri.serial, wanted != TokenValue.padded(info.serialNumber) { continue }
            if let wanted = uri.slotID, wanted != UInt64(slot) { continue }
            matches.append((slot, info))
        }
        guard let first = matches.first else {
            throw QRCertError(.key, "PKCS11_TOKEN_NOT_FOUND", "no token matches \(uri.keyName) in \(module.path)",
                              hint: labels.isEmpty ? "no initialised token is present" : "tokens present: " + labels.joined(separator: ", "))
        }
        guard matches.count == 1 else {
            throw QRCertError(.key, "PKCS11_AMBIGUOUS", "\(matches.count) tokens match \(uri.keyName)",
                              hint: "name one token: add token=, serial= or slot-id= to the URI")
        }
        return first
    }
}

import QRCertFormat

/// A PKCS#11 URI (RFC 7512) naming a key in a token, e.g.
/// `pkcs11:token=Da%20Nang%20CSGT;object=dl-2026?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin`.
///
/// Path attributes select the token (`token`, `manufacturer`, `model`, `serial`, `slot-id`) and the key
/// (`object` = CKA_LABEL, `id` = CKA_ID, `type`); query attributes say where the module and the PIN are.
/// Fail closed: an attribute qrcert does not know is refused (RFC 7512 §2.3 lets a consumer do so) rather
/// than ignored, since ignoring one could pick another key. `pin-value` is refused: a PIN on the command line
/// shows in `ps` and in shell history.
public struct PKCS11URI: Sendable, Equatable, CustomStringConvertible {
    /// CKA_LABEL of the token (`token=`).
    public var token: String?
    /// Token manufacturer ID (`manufacturer=`).
    public var manufacturer: String?
    /// Token model (`model=`).
    public var model: String?
    /// Token serial number (`serial=`).
    public var serial: String?
    /// Slot ID (`slot-id=`, decimal).
    public var slotID: UInt64?
    /// CKA_LABEL of the key (`object=`).
    public var object: String?
    /// CKA_ID of the key (`id=`, usually percent-encoded bytes).
    public var id: [UInt8]?
    /// The module to load (`module-path=`).
    public var modulePath: String?
    /// Where the PIN is (`pin-source=`): a file path or a `file:` URI.
    public var pinSource: String?

    /// An empty URI (`pkcs11:`), to be filled in.
    public init() {}

    /// Whether `text` is meant as a PKCS#11 URI rather than a file path (the scheme is case-insensitive).
    public static func isURI(_ text: String) -> Bool {
        text.utf8.count >= 7 && text.prefix(7).lowercased() == "pkcs11:"
    }

    /// Parses `text`; anything malformed or unknown is PKCS11_URI (stage .key).
    public init(parsing text: String) throws(QRCertError) {
        guard Self.isURI(text) else { throw Self.bad("it does not start with pkcs11:") }
        let rest = text.dropFirst(7)
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0], query = parts.count > 1 ? parts[1] : ""
        var seen = Set<String>()
        for attribute in path.split(separator: ";", omittingEmptySubsequences: true) {
            let (name, value) = try Self.split(attribute)
            guard seen.insert(name).inserted else { throw Self.bad("attribute \(name) is given twice") }
            switch name {
            case "token": token = try Self.text(value, name)
            case "manufacturer": manufacturer = try Self.text(value, name)
            case "model": model = try Self.text(value, name)
            case "serial": serial = try Self.text(value, name)
            case "object": object = try Self.text(value, name)
            case "id": id = try Self.decode(value, name)
            case "slot-id":
                guard let number = UInt64(try Self.text(value, name)) else { throw Self.bad("slot-id must be a decimal number") }
                slotID = number
            case "type":
                // Signing needs the private key; public and cert URIs name something else.
                guard try Self.text(value, name) == "private" else {
                    throw Self.bad("type must be private: qrcert signs with a private key")
                }
            default:
                if name.hasPrefix("x-") { continue }
                throw Self.bad("unknown attribute \(name)")
            }
        }
        for attribute in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (name, value) = try Self.split(attribute)
            guard seen.insert(name).inserted else { throw Self.bad("attribute \(name) is given twice") }
            switch name {
            case "module-path": modulePath = try Self.text(value, name)
            case "pin-source": pinSource = try Self.text(value, name)
            case "pin-value":
                throw QRCertError(.key, "PKCS11_URI", "PKCS#11 URI carries pin-value: a PIN on the command line is visible to other users",
                                  hint: "give the PIN with --pin-file, --pin-env or pin-source=file:PATH, or type it when asked")
            default:
                if name.hasPrefix("x-") { continue }
                throw Self.bad("unknown attribute \(name)")
            }
        }
        guard object != nil || id != nil else {
            throw Self.bad("it names no key", hint: "add object=LABEL or id=%XX... (pkcs11-tool --list-objects shows them)")
        }
    }

    /// The URI again, with what it names (never a PIN: it cannot hold one).
    public var description: String {
        var path: [String] = []
        if let token { path.append("token=" + Self.encode(Array(token.utf8))) }
        if let manufacturer { path.append("manufacturer=" + Self.encode(Array(manufacturer.utf8))) }
        if let model { path.append("model=" + Self.encode(Array(model.utf8))) }
        if let serial { path.append("serial=" + Self.encode(Array(serial.utf8))) }
        if let slotID { path.append("slot-id=\(slotID)") }
        if let object { path.append("object=" + Self.encode(Array(object.utf8))) }
        if let id { path.append("id=" + id.map { "%" + Self.hex($0) }.joined()) }
        var text = "pkcs11:" + path.joined(separator: ";")
        var query: [String] = []
        if let modulePath { query.append("module-path=" + Self.encode(Array(modulePath.utf8), keeping: "/")) }
        if let pinSource { query.append("pin-source=" + Self.encode(Array(pinSource.utf8), keeping: "/:")) }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    private static func split(_ attribute: Substring) throws(QRCertError) -> (String, Substring) {
        guard let equals = attribute.firstIndex(of: "=") else { throw bad("attribute \(attribute) has no value") }
        return (String(attribute[..<equals]).lowercased(), attribute[attribute.index(after: equals)...])
    }

    private static func text(_ value: Substring, _ name: String) throws(QRCertError) -> String {
        guard let text = String(validating: try decode(value, name), as: UTF8.self) else {
            throw bad("\(name) is not UTF-8 once decoded")
        }
        return text
    }

    /// Percent-decoding (RFC 3986 §2.1).
    private static func decode(_ value: Substring, _ name: String) throws(QRCertError) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(value.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else { out.append(byte); continue }
            guard bytes.count >= 2, let high = nibble(bytes.removeFirst()), let low = nibble(bytes.removeFirst()) else {
                throw bad("\(name) has a bad percent escape")
            }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func encode(_ bytes: [UInt8], keeping extra: String = "") -> String {
        var out = ""
        for byte in bytes {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c) || extra.contains(c)) {
                out.append(c)
            } else {
                out += "%" + hex(byte)
            }
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    private static func bad(_ why: String, hint: String? = nil) -> QRCertError {
        QRCertError(.key, "PKCS11_URI", "bad PKCS#11 URI: \(why)",
                    hint: hint ?? "expected pkcs11:token=LABEL;object=KEY-LABEL (RFC 7512)")
    }
}

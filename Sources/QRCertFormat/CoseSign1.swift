/// A COSE_Sign1 message (RFC 9052 §4.2): `[protected: bstr, unprotected: map, payload: bstr, signature: bstr]`.
///
/// Decoding keeps the protected header's exact bytes, because the signature covers them and not
/// any re-encoding of them.
public struct CoseSign1: Sendable, Equatable {
    /// COSE header label of the algorithm (RFC 9052 §3.1).
    public static let algLabel: Int64 = 1
    /// COSE header label of the key id.
    public static let kidLabel: Int64 = 4
    /// `x5chain` (RFC 9360 §2): one DER certificate as a byte string, or an array of them, signer first.
    public static let x5chainLabel: Int64 = 33
    /// CBOR tag of COSE_Sign1.
    public static let tag: UInt64 = 18
    /// CBOR tag of a CWT (RFC 8392 §6), which some issuers wrap around tag 18.
    public static let cwtTag: UInt64 = 61

    /// The protected header exactly as serialised inside its byte string (empty when there is none).
    public var protectedBytes: [UInt8]
    /// The protected header decoded.
    public var protectedHeader: [CBORPair]
    /// The unprotected header. Never trusted for anything but finding a key.
    public var unprotectedHeader: [CBORPair]
    /// The signed content (for a CWT, the encoded claims map).
    public var payload: [UInt8]
    /// The signature (raw r||s for ECDSA).
    public var signature: [UInt8]
    /// The tags found around the array, outermost first: `[18]`, `[]` or `[61, 18]`.
    public var tags: [UInt64]

    /// Builds a message to be signed; `signature` is filled in afterwards.
    public init(protectedHeader: [CBORPair], unprotectedHeader: [CBORPair] = [], payload: [UInt8],
                signature: [UInt8] = [], tags: [UInt64] = [CoseSign1.tag]) {
        self.protectedHeader = protectedHeader
        self.protectedBytes = protectedHeader.isEmpty ? [] : CBOREncoder.encode(.map(protectedHeader))
        self.unprotectedHeader = unprotectedHeader
        self.payload = payload
        self.signature = signature
        self.tags = tags
    }

    /// Decodes a COSE_Sign1, tagged 18, untagged, or wrapped in CWT tag 61.
    public static func decode(_ bytes: [UInt8], options: CBORDecoder.Options = .strict) throws(QRCertError) -> CoseSign1 {
        var item: CBOR
        do throws(QRCertError) {
            item = try CBORDecoder.decode(bytes, options: options)
        } catch {
            throw QRCertError(.cbor, error.code, "COSE message is not valid CBOR: \(error.message)")
        }
        var tags: [UInt64] = []
        while case .tagged(let tag, let inner) = item {
            tags.append(tag)
            item = inner
        }
        guard tags == [] || tags == [tag] || tags == [cwtTag, tag] else {
            throw QRCertError(.cose, "COSE_BAD_TAG", "unexpected CBOR tags \(tags) around COSE_Sign1 (expected 18, 61(18) or none)")
        }
        guard case .array(let parts) = item, parts.count == 4 else {
            throw QRCertError(.cose, "COSE_BAD_STRUCTURE", "COSE_Sign1 must be an array of 4 items")
        }
        guard case .bytes(let protectedBytes) = parts[0] else {
            throw QRCertError(.cose, "COSE_BAD_STRUCTURE", "COSE_Sign1 protected header must be a byte string")
        }
        var protectedHeader: [CBORPair] = []
        if !protectedBytes.isEmpty {
            let decoded: CBOR
            do throws(QRCertError) {
                decoded = try CBORDecoder.decode(protectedBytes, options: options)
            } catch {
                throw QRCertError(.cose, "COSE_BAD_HEADER", "protected header is not valid CBOR: \(error.message)")
            }
            guard case .map(let pairs) = decoded else {
                throw QRCertError(.cose, "COSE_BAD_HEADER", "protected header must be a map")
            }
            protectedHeader = pairs
        }
        guard case .map(let unprotectedHeader) = parts[1] else {
            throw QRCertError(.cose, "COSE_BAD_STRUCTURE", "COSE_Sign1 unprotected header must be a map")
        }
        guard case .bytes(let payload) = parts[2] else {
            throw QRCertError(.cose, "COSE_BAD_STRUCTURE", "COSE_Sign1 payload must be an attached byte string")
        }
        guard case .bytes(let signature) = parts[3] else {
            throw QRCertError(.cose, "COSE_BAD_STRUCTURE", "COSE_Sign1 signature must be a byte string")
        }
        var message = CoseSign1(protectedHeader: protectedHeader, unprotectedHeader: unprotectedHeader,
                                payload: payload, signature: signature, tags: tags)
        message.protectedBytes = protectedBytes
        return message
    }

    /// The message as CBOR, with its tags.
    public func encoded() -> [UInt8] {
        var item = CBOR.array([.bytes(protectedBytes), .map(unprotectedHeader), .bytes(payload), .bytes(signature)])
        for tag in tags.reversed() { item = .tagged(tag, item) }
        return CBOREncoder.encode(item, deterministic: false)
    }

    /// The bytes the signature covers: `Sig_structure = ["Signature1", protected, external_aad, payload]` (RFC 9052 §4.4).
    public func toBeSigned(externalAAD: [UInt8] = []) -> [UInt8] {
        CBOREncoder.encode(.array([.text("Signature1"), .bytes(protectedBytes), .bytes(externalAAD), .bytes(payload)]),
                           deterministic: false)
    }

    /// `alg` from the protected header, if it is an integer.
    public var protectedAlgorithm: CBOR? { Self.lookup(protectedHeader, Self.algLabel) }
    /// `alg` from the unprotected header (foreign issuers only; never used on its own).
    public var unprotectedAlgorithm: CBOR? { Self.lookup(unprotectedHeader, Self.algLabel) }
    /// `kid` from the protected header.
    public var protectedKeyID: CBOR? { Self.lookup(protectedHeader, Self.kidLabel) }
    /// `x5chain` from the unprotected header: never trusted for anything but finding a key.
    public var unprotectedX5Chain: CBOR? { Self.lookup(unprotectedHeader, Self.x5chainLabel) }
    /// `kid` from the unprotected header.
    public var unprotectedKeyID: CBOR? { Self.lookup(unprotectedHeader, Self.kidLabel) }

    private static func lookup(_ header: [CBORPair], _ label: Int64) -> CBOR? {
        header.first { $0.key.int64 == label }?.value
    }
}

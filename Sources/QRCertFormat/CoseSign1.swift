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

}

/// The two headers of a COSE_Sign1, decoded: a `CoseSign1`, or a `CoseSign1.View` of one in place.
public protocol CoseHeaders {
    /// The protected header decoded.
    var protectedHeader: [CBORPair] { get }
    /// The unprotected header. Never trusted for anything but finding a key.
    var unprotectedHeader: [CBORPair] { get }
}

extension CoseHeaders {
    /// `alg` from the protected header, if it is an integer.
    public var protectedAlgorithm: CBOR? { Self.lookup(protectedHeader, CoseSign1.algLabel) }
    /// `alg` from the unprotected header (foreign issuers only; never used on its own).
    public var unprotectedAlgorithm: CBOR? { Self.lookup(unprotectedHeader, CoseSign1.algLabel) }
    /// `kid` from the protected header.
    public var protectedKeyID: CBOR? { Self.lookup(protectedHeader, CoseSign1.kidLabel) }
    /// `x5chain` from the unprotected header: never trusted for anything but finding a key.
    public var unprotectedX5Chain: CBOR? { Self.lookup(unprotectedHeader, CoseSign1.x5chainLabel) }
    /// `kid` from the unprotected header.
    public var unprotectedKeyID: CBOR? { Self.lookup(unprotectedHeader, CoseSign1.kidLabel) }

    private static func lookup(_ header: [CBORPair], _ label: Int64) -> CBOR? {
        header.first { $0.key.int64 == label }?.value
    }
}

extension CoseSign1: CoseHeaders {}

extension CoseSign1 {
    /// A COSE_Sign1 read in place, for a verifier: its headers decoded, its protected header, payload and signature
    /// as ranges of the message's bytes, which nothing copies (docs/PERFORMANCE.md).
    public struct View: CoseHeaders, Sendable {
        /// The bytes the ranges index: the COSE message.
        public let bytes: [UInt8]
        /// The protected header exactly as serialised inside its byte string.
        public let protectedRange: Range<Int>
        /// The signed content (for a CWT, the encoded claims map).
        public let payloadRange: Range<Int>
        /// The signature (raw r||s for ECDSA).
        public let signatureRange: Range<Int>
        /// The protected header decoded.
        public let protectedHeader: [CBORPair]
        /// The unprotected header. Never trusted for anything but finding a key.
        public let unprotectedHeader: [CBORPair]

        /// The signed content.
        public var payload: ArraySlice<UInt8> { bytes[payloadRange] }
        /// The signature.
        public var signature: ArraySlice<UInt8> { bytes[signatureRange] }

        /// A view of a decoded message, whose parts are copied into one buffer.
        public init(_ message: CoseSign1) {
            bytes = message.protectedBytes + message.payload + message.signature
            let payloadStart = message.protectedBytes.count, signatureStart = payloadStart + message.payload.count
            protectedRange = 0..<payloadStart
            payloadRange = payloadStart..<signatureStart
            signatureRange = signatureStart..<bytes.count
            protectedHeader = message.protectedHeader
            unprotectedHeader = message.unprotectedHeader
        }

        fileprivate init(bytes: [UInt8], protectedRange: Range<Int>, payloadRange: Range<Int>, signatureRange: Range<Int>,
                         protectedHeader: [CBORPair], unprotectedHeader: [CBORPair]) {
            self.bytes = bytes
            self.protectedRange = protectedRange
            self.payloadRange = payloadRange
            self.signatureRange = signatureRange
            self.protectedHeader = protectedHeader
            self.unprotectedHeader = unprotectedHeader
        }

        /// Hands `update` the bytes of `toBeSigned()` (with no external AAD) in order, in pieces: the Sig_structure
        /// (RFC 9052 §4.4) is hashed where its parts lie rather than built.
        public func sigStructure(_ update: (UnsafeRawBufferPointer) -> Void) {
            bytes.withUnsafeBytes { all in
                withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { scratch in
                    // ["Signature1", protected, external_aad = h'', payload], heads in preferred form as `CBOREncoder` writes them.
                    scratch[0] = 0x84
                    scratch[1] = 0x6A
                    var count = 2
                    for byte in "Signature1".utf8 { scratch[count] = byte; count += 1 }
                    count = Self.head(2, protectedRange.count, into: scratch, at: count)
                    update(UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                    update(UnsafeRawBufferPointer(rebasing: all[protectedRange]))
                    scratch[0] = 0x40
                    count = Self.head(2, payloadRange.count, into: scratch, at: 1)
                    update(UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                    update(UnsafeRawBufferPointer(rebasing: all[payloadRange]))
                }
            }
        }

        /// Writes the shortest head of `major` with `argument` at `offset`; returns the offset after it.
        private static func head(_ major: UInt8, _ argument: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
            let value = UInt64(argument)
            let size: Int
            switch value {
            case 0..<24: out[offset] = major << 5 | UInt8(value); return offset + 1
            case 24...0xFF: out[offset] = major << 5 | 24; size = 1
            case 0x100...0xFFFF: out[offset] = major << 5 | 25; size = 2
            case 0x1_0000...0xFFFF_FFFF: out[offset] = major << 5 | 26; size = 4
            default: out[offset] = major << 5 | 27; size = 8
            }
            for index in 0..<size { out[offset + 1 + index] = UInt8(truncatingIfNeeded: value >> (8 * (size - 1 - index))) }
            return offset + 1 + size
        }
    }

    /// `decode(bytes, options:)` as a `View`: the same answer and the same errors, without copying the parts. The
    /// envelope is read with the decoder's own reads; whatever that fast path does not take (a failure, an unusual
    /// form) is decoded by `decode` itself, which then throws or answers.
    public static func view(_ bytes: [UInt8], options: CBORDecoder.Options = .strict) throws(QRCertError) -> View {
        if let view = fastView(bytes, options: options) { return view }
        return View(try decode(bytes, options: options))
    }

    /// The fast path of `view`: nil wherever `decode` would fail or take another path.
    private static func fastView(_ bytes: [UInt8], options: CBORDecoder.Options) -> View? {
        var reader = Reader(bytes: bytes[...], options: options)
        do throws(QRCertError) {
            var head = try reader.readHead()
            var depth = 0
            // Tags [], [18] or [61, 18], each counted and nested as `decode` does.
            if head.major == 6 && head.argument == cwtTag {
                try reader.count(head)
                try reader.enter(depth, head)
                depth += 1
                head = try reader.readHead()
                guard head.major == 6 && head.argument == tag else { return nil }
            }
            if head.major == 6 && head.argument == tag {
                try reader.count(head)
                try reader.enter(depth, head)
                depth += 1
                head = try reader.readHead()
            }
            guard head.major == 4 && !head.indefinite && head.argument == 4 else { return nil }
            try reader.count(head)
            try reader.enter(depth, head)
            _ = try reader.count(head, minimumBytesEach: 1)
            guard let protectedRange = try byteString(&reader) else { return nil }
            let mapHead = try reader.readHead()
            guard mapHead.major == 5, case .map(let unprotectedHeader) = try reader.item(after: mapHead, depth: depth + 1) else {
                return nil
            }
            guard let payloadRange = try byteString(&reader), let signatureRange = try byteString(&reader),
                  reader.position == bytes.endIndex else { return nil }
            var protectedHeader: [CBORPair] = []
            if !protectedRange.isEmpty {
                guard case .map(let pairs) = try CBORDecoder.decode(bytes[protectedRange], options: options) else { return nil }
                protectedHeader = pairs
            }
            return View(bytes: bytes, protectedRange: protectedRange, payloadRange: payloadRange, signatureRange: signatureRange,
                        protectedHeader: protectedHeader, unprotectedHeader: unprotectedHeader)
        } catch {
            return nil
        }
    }

    /// A definite byte string's range, read and counted as `decode` reads it; nil for anything else.
    private static func byteString(_ reader: inout Reader) throws(QRCertError) -> Range<Int>? {
        let head = try reader.readHead()
        guard head.major == 2 && !head.indefinite else { return nil }
        try reader.count(head)
        return try reader.definiteRange(head)
    }
}

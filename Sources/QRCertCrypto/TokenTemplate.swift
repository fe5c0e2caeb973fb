internal import CPKCS11

/// A PKCS#11 attribute template whose values stay put while the module reads them: each value is copied
/// into memory owned here and freed in `deinit`.
final class TokenTemplate {
    private var attributes: [CK_ATTRIBUTE]
    private let storage: [UnsafeMutableRawBufferPointer]

    init(_ values: [(CK_ATTRIBUTE_TYPE, [UInt8])]) {
        var storage: [UnsafeMutableRawBufferPointer] = []
        attributes = values.map { type, bytes in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
            buffer.copyBytes(from: bytes)
            storage.append(buffer)
            return CK_ATTRIBUTE(type: type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(bytes.count))
        }
        self.storage = storage
    }

    deinit { for buffer in storage { buffer.deallocate() } }

    /// Lends the attribute array and its count to `body`.
    func withAttributes<R>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>, CK_ULONG) -> R) -> R {
        attributes.withUnsafeMutableBufferPointer { body($0.baseAddress!, CK_ULONG($0.count)) }
    }
}

/// Attribute values in the module's native layout.
enum TokenValue {
    /// A CK_ULONG (CK_OBJECT_CLASS, CK_KEY_TYPE) as bytes.
    static func ulong<T: BinaryInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: CK_ULONG(value)) { Array($0) }
    }

    /// A CK_ULONG read back; CK_ULONG.max when the bytes are not one.
    static func ulong(from bytes: [UInt8]) -> CK_ULONG {
        guard bytes.count == MemoryLayout<CK_ULONG>.size else { return CK_ULONG.max }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
    }

    /// A CK_BBOOL.
    static func bool(_ value: Bool) -> [UInt8] { [value ? 1 : 0] }

    /// A blank-padded fixed-width field of CK_TOKEN_INFO (label, serial, ...) as text.
    static func padded<T>(_ field: T) -> String {
        let bytes = withUnsafeBytes(of: field) { Array($0) }
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0) { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

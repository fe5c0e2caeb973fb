internal import COpenSSL
import QRCertFormat

/// An owned in-memory BIO: the source for PEM reading and the sink for PEM writing.
final class MemoryBIO {
    let bio: OpaquePointer
    /// Keeps the bytes a read-only BIO points into alive for the BIO's lifetime.
    private let source: UnsafeMutableRawBufferPointer?

    /// An empty, writable BIO.
    init(stage: QRCertError.Stage, code: String) throws(QRCertError) {
        bio = try LibCrypto.notNull(BIO_new(BIO_s_mem()), "BIO_new", stage, code)
        source = nil
    }

    /// A read-only BIO over a copy of `text`.
    init(reading text: String, stage: QRCertError.Stage, code: String) throws(QRCertError) {
        let bytes = Array(text.utf8)
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        copy.copyBytes(from: bytes)
        guard let made = BIO_new_mem_buf(copy.baseAddress, Int32(bytes.count)) else {
            copy.deallocate()
            throw LibCrypto.failure("BIO_new_mem_buf", stage, code)
        }
        bio = made
        source = copy
    }

    deinit {
        BIO_free(bio)
        source?.deallocate()
    }

    /// Everything written so far, as text.
    func text() -> String {
        var data: UnsafeMutablePointer<CChar>?
        let count = qrcert_bio_get_mem_data(bio, &data)
        guard let data, count > 0 else { return "" }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }
}

internal import COpenSSL
import QRCertFormat

/// The one checker every libcrypto call goes through.
///
/// A failed call drains the whole OpenSSL error queue into the thrown error, so a stale entry can
/// never surface later as the cause of an unrelated failure.
enum LibCrypto {
    /// Throws unless `rc == 1`, the success value of almost every libcrypto call.
    static func check(
        _ rc: Int32, _ function: StaticString, _ stage: QRCertError.Stage, _ code: String
    ) throws(QRCertError) {
        guard rc == 1 else { throw failure(function, stage, code) }
    }

    /// Throws unless `rc > 0`, for calls that return a length (`i2d_*`, `BIO_*`).
    static func checkPositive(
        _ rc: Int32, _ function: StaticString, _ stage: QRCertError.Stage, _ code: String
    ) throws(QRCertError) {
        guard rc > 0 else { throw failure(function, stage, code) }
    }

    /// Unwraps a pointer returned by libcrypto, or throws.
    static func notNull<T>(
        _ pointer: T?, _ function: StaticString, _ stage: QRCertError.Stage, _ code: String
    ) throws(QRCertError) -> T {
        guard let pointer else { throw failure(function, stage, code) }
        return pointer
    }

    /// The error for a failed call, with the drained queue in its message.
    static func failure(
        _ function: StaticString, _ stage: QRCertError.Stage, _ code: String, message: String? = nil
    ) -> QRCertError {
        let queue = drainErrors()
        let what = message ?? "libcrypto \(function) failed"
        return QRCertError(stage, code, queue.isEmpty ? what : "\(what): \(queue)")
    }

    /// Empties the error queue; used where a failure is an answer (a wrong signature, the end of a PEM list).
    static func clearErrors() {
        ERR_clear_error()
    }

    /// Every queued error as one line, oldest first; the queue is left empty.
    static func drainErrors() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }
}

internal import CPKCS11
import QRCertFormat
import Synchronization

/// One PKCS#11 module (a token driver such as SoftHSM2's `libsofthsm2.so`), loaded with dlopen and
/// initialised for use from many threads (CKF_OS_LOCKING_OK); finalised and closed in `deinit`.
///
/// A module may be initialised once per process, so there is one instance per path: `load` hands out the
/// live one. `@unchecked Sendable`: the function list is immutable, and an OS-locking module serialises
/// what it must; qrcert never uses one session from two threads at once (see `TokenKey`).
final class PKCS11Module: @unchecked Sendable {
    /// The path it was loaded from, for messages.
    let path: String
    /// The module's function table.
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let handle: UnsafeMutableRawPointer
    /// False when something else in the process had initialised it: then it is not ours to finalise.
    private let ownsInitialisation: Bool

    private static let live = Mutex<[String: WeakModule]>([:])

    /// The module at `path`, loaded and initialised on first use.
    static func load(_ path: String) throws(QRCertError) -> PKCS11Module {
        let result: Result<PKCS11Module, QRCertError> = live.withLock { table in
            if let module = table[path]?.module { return .success(module) }
            do throws(QRCertError) {
                let module = try PKCS11Module(path: path)
                table[path] = WeakModule(module: module)
                return .success(module)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private init(path: String) throws(QRCertError) {
        self.path = path
        var opened: UnsafeMutableRawPointer?
        var reason = [CChar](repeating: 0, count: 512)
        guard let list = qrcert_p11_load(path, &opened, &reason, UInt(reason.count)), let opened else {
            throw QRCertError(.key, "PKCS11_MODULE", "cannot load PKCS#11 module \(path): \(String(cString: reason))",
                              hint: "give the token's module with --pkcs11-module PATH (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)")
        }
        functions = list
        handle = opened
        var arguments = CK_C_INITIALIZE_ARGS(CreateMutex: nil, DestroyMutex: nil, LockMutex: nil, UnlockMutex: nil,
                                             flags: CK_FLAGS(CKF_OS_LOCKING_OK), pReserved: nil)
        let rv = withUnsafeMutablePointer(to: &arguments) { list.pointee.C_Initialize?(UnsafeMutableRawPointer($0)) } ?? CK_RV(CKR_FUNCTION_NOT_SUPPORTED)
        if rv == CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            ownsInitialisation = false
        } else if rv == CK_RV(CKR_OK) {
            ownsInitialisation = true
        } else {
            qrcert_p11_unload(opened)
            throw QRCertError(.key, "PKCS11_MODULE", "PKCS#11 module \(path) cannot start: C_Initialize returned \(Self.name(rv))")
        }
    }

    deinit {
        if ownsInitialisation { _ = functions.pointee.C_Finalize?(nil) }
        qrcert_p11_unload(handle)
    }

    /// Throws `code` unless `rv` is CKR_OK: "‹what›: C_Sign returned CKR_DEVICE_REMOVED".
    func check(_ rv: CK_RV, _ function: StaticString, _ stage: QRCertError.Stage, _ code: String,
               _ what: @autoclosure () -> String, hint: String? = nil) throws(QRCertError) {
        guard rv != CK_RV(CKR_OK) else { return }
        throw QRCertError(stage, code, "\(what()): \(function) returned \(Self.name(rv))", hint: hint)
    }

    /// The CKR_ name of `rv`, or its value in hex for one the header does not name (vendor codes).
    static func name(_ rv: CK_RV) -> String {
        if let name = qrcert_p11_rv_name(rv) { return String(cString: name) }
        return "0x" + String(rv, radix: 16)
    }

    /// The function `name` of the table, or PKCS11_FAILED if the module leaves it out.
    func function<F>(_ pointer: F?, _ name: StaticString) throws(QRCertError) -> F {
        guard let pointer else {
            throw QRCertError(.key, "PKCS11_FAILED", "PKCS#11 module \(path) does not implement \(name)")
        }
        return pointer
    }
}

/// A table entry that does not keep its module alive: the module goes when its last key does.
private struct WeakModule: @unchecked Sendable {
    weak var module: PKCS11Module?
}

import Foundation

/// How glibc's allocator should treat a long batch run.
enum Allocator {
    /// Keeps freed memory in the process instead of giving it back to the kernel after every record.
    ///
    /// glibc trims a thread's heap as soon as 128 KiB at its top are free, and each record frees zlib's
    /// ~270 KiB deflate state: the pages go back to the kernel and fault in again for the next record
    /// (23 page faults a record; 12% of the CPU time of a PNG run, 20% of a payload run; docs/PERFORMANCE.md).
    /// `mallopt` is in <malloc.h>, which no module here imports, so it is looked up by name; elsewhere than
    /// glibc this does nothing.
    static func keepFreedMemory() {
        #if os(Linux)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        // dlsym(RTLD_DEFAULT, ...): RTLD_DEFAULT is the null handle in glibc.
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, topPad: Int32 = -2  // M_TRIM_THRESHOLD, M_TOP_PAD in <malloc.h>
        _ = mallopt(trimThreshold, 256 << 20)
        _ = mallopt(topPad, 16 << 20)
        #endif
    }
}

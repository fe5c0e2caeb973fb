import NIOPosix

/// The threads that verify batches and images: long CPU work (a hundred signature checks, a photo in zbar)
/// runs here, never on an event loop and never holding Swift's cooperative pool that the connections' tasks
/// share. A batch is cut into one slice per thread and the slices' answers are joined in input order.
final class VerifyPool: Sendable {
    private let pool: NIOThreadPool
    /// Threads, and so the number of slices a batch is cut into.
    let threads: Int

    init(threads: Int) {
        self.threads = threads
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// `work` on one of the threads.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    /// `work` over `items` cut into slices of at least `minimumSlice`, at most one per thread, the slices'
    /// bytes concatenated in order.
    func map<Item: Sendable>(_ items: [Item], minimumSlice: Int = 8,
                             _ work: @escaping @Sendable (ArraySlice<Item>) -> [UInt8]) async throws -> [UInt8] {
        let slices = max(1, min(threads, items.count / max(minimumSlice, 1)))
        if slices == 1 { return try await run { work(items[...]) } }
        let size = (items.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<slices {
                let range = (index * size)..<min(items.count, (index + 1) * size)
                group.addTask { (index, try await self.run { work(items[range]) }) }
            }
            var parts = [[UInt8]](repeating: [], count: slices)
            for try await (index, bytes) in group { parts[index] = bytes }
            var joined: [UInt8] = []
            joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { joined += part }
            return joined
        }
    }

    /// Stops the threads once the work queued has run.
    func shutdown() async throws { try await pool.shutdownGracefully() }
}

import Foundation
@testable import QRCert
import XCTest

/// The ordered parallel map that `issue` and `verify -` run on: input order, each output as soon as it and all
/// before it are ready, a bounded window, one state per worker.
final class OrderedMapTests: XCTestCase {
    /// Counters shared by the test's threads.
    private final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var submitted = 0
        private var taken = 0
        private(set) var mostInFlight = 0
        private(set) var workers = 0

        func didSubmit() { lock.withLock { submitted += 1 } }
        func didTake(_ count: Int) { lock.withLock { taken += count } }
        /// Called by a worker as it starts an input: how far the inputs submitted are ahead of the outputs taken.
        func working() { lock.withLock { mostInFlight = max(mostInFlight, submitted - taken) } }
        func newWorker() -> Int { lock.withLock { workers += 1; return workers } }
    }

    func testOutputsKeepInputOrderWithinTheWindow() {
        let counters = Counters()
        let map = OrderedMap<Int, String>(threads: 4, window: 8) {
            { number in
                counters.working()
                // Later inputs often finish first: order must come from the map, not from timing.
                if number % 3 == 0 { usleep(UInt32(200 + number % 7 * 100)) }
                return "#\(number)"
            }
        }
        Thread {
            for number in 0..<400 {
                counters.didSubmit()  // counted before it is queued: a worker can never see it uncounted
                map.submit(number)
            }
            map.finish()
        }.start()
        var outputs: [String] = []
        while let ready = map.next() {
            outputs += ready
            counters.didTake(ready.count)
        }
        map.close()
        XCTAssertEqual(outputs, (0..<400).map { "#\($0)" })
        // At most 8 ahead inside the map; the test's counters lag it by the run just taken (at most 8) and the
        // input counted before its submission waited: bounded by the window, not by the 400 inputs.
        XCTAssertLessThanOrEqual(counters.mostInFlight, 17)
        XCTAssertEqual(map.next(), nil)
    }

    /// A person scanning one code at a time: each answer comes before the next input is even submitted.
    func testEachOutputIsReadyBeforeTheNextInput() {
        let map = OrderedMap<String, String>(threads: 2) { { $0.uppercased() } }
        for text in ["qc1:a", "qc1:b", "qc1:c"] {
            map.submit(text)
            XCTAssertEqual(next(of: map), [text.uppercased()])
        }
        map.finish()
        XCTAssertEqual(map.next(), nil)
        map.close()
    }

    /// `issue`'s way: one thread submits and takes, draining what is ready between submissions.
    func testOneThreadSubmitsAndTakes() {
        let counters = Counters()
        let map = OrderedMap<Int, Int>(threads: 3, window: 6) {
            _ = counters.newWorker()
            return { $0 * 10 }
        }
        var outputs: [Int] = []
        for number in 0..<100 {
            while map.isFull { outputs += map.next() ?? [] }
            map.submit(number)
            outputs += map.ready()
        }
        map.finish()
        while let ready = map.next() { outputs += ready }
        map.close()
        XCTAssertEqual(outputs, (0..<100).map { $0 * 10 })
        XCTAssertEqual(counters.workers, 3)  // `worker()` once per thread: each keeps its own state
    }

    func testAnEmptyInputEndsAtOnce() {
        let map = OrderedMap<Int, Int>(threads: 2) { { $0 } }
        map.finish()
        XCTAssertEqual(map.next(), nil)
        XCTAssertEqual(map.ready(), [])
        map.close()
    }

    /// `map.next()`, failing instead of hanging if it does not return (a broken map would wait for more input).
    private func next<Output: Sendable>(of map: OrderedMap<String, Output>) -> [Output]? {
        let box = ResultBox<[Output]?>()
        let returned = DispatchSemaphore(value: 0)
        Thread {
            box.value = map.next()
            returned.signal()
        }.start()
        guard returned.wait(timeout: .now() + 30) == .success else {
            XCTFail("next() did not return an output that was ready")
            map.finish()
            return nil
        }
        return box.value ?? nil
    }

    private final class ResultBox<Value>: @unchecked Sendable {
        var value: Value?
    }
}

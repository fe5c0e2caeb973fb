import Foundation

/// The checkout's Fixtures folder, found from this file's place.
enum IOFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Fixtures/<name>` as a path.
    static func path(_ name: String) -> String { root.appendingPathComponent("Fixtures/\(name)").path }

    /// A new empty folder under the temporary directory, removed when the test ends.
    static func folder(_ test: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qrcertio-\(test)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

import Foundation
import QRCert
import QRCertFormat
import XCTest

/// The EU DCC test suite (`../shared/conformance/dgc-testdata`) through the verifier's own code
/// paths. Every in-scope flag of every file agrees, or is a listed deviation that still deviates;
/// docs/CONFORMANCE.md maps flags to stages and holds the table this test prints.
final class ConformanceTests: XCTestCase {
    /// Counts for one flag.
    private struct Tally {
        var agreeTrue = 0, agreeFalse = 0, deviate = 0, notTested = 0
    }

    /// Every VALIDATIONCLOCK form of the suite, read by `Timestamp.parse` (behind `verify --at`) to
    /// the second: fractions dropped, no zone = UTC. A new form in the suite fails here first.
    func testEveryClockFormOfTheSuiteParses() throws {
        let forms: [(String, Int64)] = [
            ("2021-10-10T18:00:00Z", 1_633_888_800),
            ("2021-08-19T10:01:55.429915Z", 1_629_367_315),
            ("2021-06-08T20:17:27.9906293Z", 1_623_183_447),
            ("2021-05-18T16:46:12.971336500Z", 1_621_356_372),
            ("2021-08-18T16:36:53+02:00", 1_629_297_413),
            ("2021-07-02T07:44:21+0000", 1_625_211_861),
            ("2021-06-08T15:56:26.670297", 1_623_167_786),
            ("2021-05-26T09:44:03", 1_622_022_243),
            ("2021-05-21T12:33:43.120+02:00", 1_621_593_223),
            ("2022-01-18T09:53:44.686+0000", 1_642_499_624),
            ("2021-06-09T18:33:10.0361019+03:00", 1_623_252_790),
            ("2021-06-16T15:33:59.7342+03:00", 1_623_846_839),
        ]
        func shape(_ text: String) -> String { String(text.map { $0.isNumber ? "9" : $0 }) }
        for (text, seconds) in forms {
            XCTAssertEqual(Timestamp.parse(text), seconds, text)
        }
        let known = Set(forms.map { shape($0.0) })
        for file in ConformancePaths.jsonFiles(under: ConformancePaths.suite) {
            let clock = try ConformanceCase(file: file).document["TESTCTX"]?["VALIDATIONCLOCK"]?.string ?? ""
            XCTAssertTrue(known.contains(shape(clock)), "\(file): clock form \(clock) is not covered here")
        }
    }

    func testEUDCCSuite() throws {
        let known = try KnownDeviations.load()
        let files = ConformancePaths.jsonFiles(under: ConformancePaths.suite)
        XCTAssertGreaterThan(files.count, 100, "conformance suite not found at \(ConformancePaths.suite.path)")

        var listed: [String: KnownDeviations.Entry] = [:]
        for entry in known.deviations {
            XCTAssertNil(listed["\(entry.file) \(entry.flag)"], "\(entry.file) \(entry.flag) listed twice")
            XCTAssertNotNil(ConformanceFlag(rawValue: entry.flag), "\(entry.file): \(entry.flag) is not an in-scope flag")
            XCTAssertTrue(["deviates", "untestable"].contains(entry.kind), "\(entry.file): kind \(entry.kind)")
            XCTAssertFalse(entry.reason.isEmpty, "\(entry.file) \(entry.flag): no reason")
            listed["\(entry.file) \(entry.flag)"] = entry
        }
        var used: Set<String> = []
        var tallies: [String: Tally] = [:]
        var negatives: [String] = []

        for file in files {
            let testCase = try ConformanceCase(file: file)
            XCTAssertNotNil(testCase.document["PREFIX"]?.string, "\(file): no PREFIX")
            XCTAssertFalse(testCase.expected.isEmpty, "\(file): no EXPECTEDRESULTS")
            // Every clock form in the suite must parse, as `verify --at` reads it.
            let clockText = testCase.document["TESTCTX"]?["VALIDATIONCLOCK"]?.string ?? ""
            XCTAssertNotNil(testCase.clock, "\(file): VALIDATIONCLOCK \(clockText) does not parse")
            // The misspelled duplicate some files carry says the same; it is not read.
            if let instant = testCase.document["TESTCTX"]?["validationClockInstant"]?.string {
                XCTAssertEqual(Timestamp.parse(instant), testCase.clock, "\(file): validationClockInstant")
            }
            for key in testCase.expected.keys where ConformanceFlag(rawValue: key) == nil {
                // Out of scope: counted, never silently dropped; an unknown key fails.
                XCTAssertNotNil(known.outOfScope[key], "\(file): expected-result key \(key) is neither in scope nor listed out of scope")
                tallies[key, default: Tally()].notTested += 1
            }

            let results = try testCase.run().results
            for flag in ConformanceFlag.allCases {
                guard let expected = testCase.expected[flag.rawValue], let result = results[flag] else { continue }
                let id = "\(file) \(flag.rawValue)"
                let entry = listed[id]
                if entry != nil { used.insert(id) }
                switch result {
                case _ where result.agrees(with: expected):
                    if entry != nil {
                        XCTFail("\(id) is listed as a deviation but now agrees (\(result)): remove it from conformance-deviations.json")
                    }
                    if expected {
                        tallies[flag.rawValue, default: Tally()].agreeTrue += 1
                    } else {
                        tallies[flag.rawValue, default: Tally()].agreeFalse += 1
                        if case .failed(let code) = result { negatives.append("\(id) fails with \(code)") }
                    }
                case .untestable(let why):
                    if entry?.kind != "untestable" { XCTFail("\(id) cannot be tested (\(why)) and is not listed") }
                    tallies[flag.rawValue, default: Tally()].notTested += 1
                default:
                    if entry?.kind != "deviates" { XCTFail("\(id): expected \(expected), got \(result)") }
                    if let shift = entry?.agreesWithClockShift {
                        let shifted = try testCase.run(clockShift: shift).results[flag]
                        XCTAssertTrue(shifted.map { $0.agrees(with: expected) } ?? false,
                                      "\(id): with the clock moved by \(shift) s the flag should agree, got \(String(describing: shifted))")
                    }
                    tallies[flag.rawValue, default: Tally()].deviate += 1
                }
            }
        }
        for id in Set(listed.keys).subtracting(used).sorted() {
            XCTFail("\(id) is listed in conformance-deviations.json but no such file and flag exists")
        }

        // The table docs/CONFORMANCE.md reproduces.
        var table = "| flag | agree (true) | agree (false) | deviate | not tested |\n| --- | ---: | ---: | ---: | ---: |\n"
        let outOfScope = tallies.keys.filter { ConformanceFlag(rawValue: $0) == nil }.sorted()
        // EXPECTEDCONTENT is qrcert's own flag: the suite never sets it.
        for key in ConformanceFlag.allCases.filter({ $0 != .content }).map(\.rawValue) + outOfScope {
            let tally = tallies[key] ?? Tally()
            table += "| \(key) | \(tally.agreeTrue) | \(tally.agreeFalse) | \(tally.deviate) | \(tally.notTested) |\n"
        }
        print("EU DCC conformance, \(files.count) files:\n" + table)
        print("Negative cases:\n" + negatives.joined(separator: "\n"))
    }
}

import Foundation
import XCTest

/// `--help` and the man pages, as a reader at an 80-column terminal sees them: paragraphs are one line in
/// the source (the argument parser wraps them, groff fills them), examples are one command a line with `\`
/// continuations, nothing is cut mid-command, and the generated man pages keep their Vietnamese letters.
final class HelpAndManualTests: XCTestCase {
    /// Every command's path and help texts, from the parser's own description (`--experimental-dump-help`).
    private struct Command {
        let path: [String]
        let texts: [String]
    }

    private func commands() throws -> [Command] {
        let dump = try CLI.run(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var out: [Command] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            var texts = [command["abstract"] as? String, command["discussion"] as? String].compactMap { $0 }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                texts += [argument["abstract"] as? String, argument["discussion"] as? String].compactMap { $0 }
            }
            out.append(Command(path: path, texts: texts))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path + [sub["commandName"] as? String ?? "?"])
            }
        }
        walk(try XCTUnwrap(root["command"] as? [String: Any]), [])
        XCTAssertGreaterThanOrEqual(out.count, 19)
        return out
    }

    /// The literal lines of a help text: those indented by two spaces (examples).
    private func literalLines(_ text: String) -> [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("  ") }
    }

    func testHelpParagraphsAreOneLineAndExamplesFit80Columns() throws {
        for command in try commands() {
            let name = (["qrcert"] + command.path).joined(separator: " ")
            for text in command.texts {
                var previous = ""
                for line in text.components(separatedBy: "\n") {
                    // A paragraph line directly after another paragraph line is a hard line break inside a paragraph.
                    if !line.isEmpty && !line.hasPrefix("  ") {
                        XCTAssertTrue(previous.isEmpty, "\(name): hard line break inside a paragraph before \"\(line.prefix(40))\"")
                    }
                    if line.hasPrefix("  ") {
                        // 73: the man page indents examples by 7 more columns, and must fit 80 too.
                        XCTAssertLessThanOrEqual(line.count, 73, "\(name): example longer than 73 columns: \(line)")
                        if previous.hasPrefix("  ") && previous.hasSuffix("\\") {
                            XCTAssertTrue(line.hasPrefix("      "), "\(name): a continuation is indented under its command: \(line)")
                        } else {
                            XCTAssertFalse(line.hasPrefix("      "), "\(name): an indented example line without a \\ before it: \(line)")
                        }
                    }
                    previous = line
                }
                XCTAssertFalse(previous.hasSuffix("\\"), "\(name): the last example ends with a continuation")
            }
        }
    }

    func testHelpAt80ColumnsShowsEveryExampleLineWhole() throws {
        for command in try commands() {
            let help = try CLI.run(command.path + ["--help"], environment: ["COLUMNS": "80"])
            let name = (["qrcert"] + command.path).joined(separator: " ")
            XCTAssertEqual(help.status, 0, "\(name): \(help.stderr)")
            // The usage line is the parser's own (one line, never wrapped); everything else must fit.
            for line in help.lines where !line.hasPrefix("USAGE: ") {
                XCTAssertLessThanOrEqual(line.count, 80, "\(name) --help: \(line)")
            }
            for text in command.texts {
                for example in literalLines(text) {
                    XCTAssertTrue(help.lines.contains { $0.hasSuffix(example) }, "\(name) --help cut the example line: \(example)")
                }
            }
        }
    }

    /// Examples that issue new driving licences name today's issuer, the traffic police.
    func testExamplesIssueDrivingLicencesInTheTrafficPolicesName() throws {
        for command in try commands() {
            for text in command.texts {
                XCTAssertFalse(text.contains("Sở GTVT"), "\((["qrcert"] + command.path).joined(separator: " ")): \(text.prefix(80))")
            }
        }
        let issue = try CLI.run(["issue", "--help"], environment: ["COLUMNS": "80"])
        XCTAssertTrue(issue.lines.contains("      --issuer \"Phòng CSGT Công an TP. Đà Nẵng\" \\"), issue.stdout)
    }

    /// scripts/man's pages, rendered by man-db in a UTF-8 locale: Vietnamese letters intact (the argument
    /// parser's own generator dropped them: "S GTVT  Nng"), examples line for line, options in ASCII.
    func testManPagesKeepUTF8AndExampleLines() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let binary = try XCTUnwrap(CLI.binary)
        let generate = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", CLI.root.appendingPathComponent("scripts/manpages.py").path, binary.path, folder.path],
                                          stdin: nil)
        XCTAssertEqual(generate.status, 0, generate.stderr)
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(pages.count, try commands().count)
        XCTAssertTrue(pages.contains("qrcert-trust-list-add-key.1"), "\(pages)")
        let page = folder.appendingPathComponent("qrcert-issue.1").path
        let man = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["man", "-l", page], stdin: nil,
                                     environment: ["LANG": "C.UTF-8", "MANWIDTH": "80", "MAN_DISABLE_SECCOMP": "1"])
        XCTAssertEqual(man.status, 0, man.stderr)
        XCTAssertTrue(man.lines.contains("             --issuer \"Phòng CSGT Công an TP. Đà Nẵng\" \\"), man.stdout)
        XCTAssertTrue(man.lines.contains("         qrcert issue --key keys/danang-csgt.key.pem \\"), man.stdout)
        XCTAssertTrue(man.lines.contains("       Since 1 March 2025 driving licences are issued by the traffic police"), man.stdout)
        XCTAssertTrue(man.lines.contains { $0.hasPrefix("       --issuer issuer") }, man.stdout)
        XCTAssertFalse(man.stdout.contains("S GTVT"), man.stdout)
        for line in man.lines { XCTAssertLessThanOrEqual(line.count, 80, line) }
    }
}

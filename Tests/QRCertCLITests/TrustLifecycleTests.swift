import Foundation
import XCTest

/// The whole life of an authority's trust, through the built binary: root and issuer keys, a trust list,
/// licences issued and verified, one suspended, the issuer key rotated, a key compromised, and every way a
/// list is refused (tampered, another root, rolled back, wrong environment, out of date).
final class TrustLifecycleTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(for: self)
    }

    /// `qrcert ARGS` in the test folder, remembering accepted lists under its own XDG_STATE_HOME.
    @discardableResult
    private func qrcert(_ arguments: [String], stdin: String? = nil, status: Int32 = 0,
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        let result = try CLI.run(arguments, stdin: stdin, in: folder, environment: ["XDG_STATE_HOME": folder.path + "/state"], file: file, line: line)
        XCTAssertEqual(result.status, status, "qrcert \(arguments.joined(separator: " "))\n\(result.stderr)", file: file, line: line)
        return result
    }

    private func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    private func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))) }

    /// A copy of `name` with the byte in the middle flipped.
    private func tampered(_ name: String) throws -> String {
        var content = try bytes(name)
        content[content.count / 2] ^= 0x01
        let target = "tampered-" + name
        try Data(content).write(to: folder.appendingPathComponent(target))
        return target
    }

    /// `verify` of one payload as JSON: the parsed line.
    private func verify(_ payload: String, at time: String, lists: [String], status: Int32,
                        file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let result = try qrcert(["verify", "--json", "--at", time] + lists + [payload], status: status, file: file, line: line)
        XCTAssertEqual(result.lines.count, 1, result.stdout, file: file, line: line)
        return try CLI.jsonObject(result.stdout)
    }

    static let header = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address\n"

    func testWholeLife() throws {
        // 1. Keys: the authority's root and the Đà Nẵng transport department's 2025 key.
        try qrcert(["keygen", "--out", "root/vn-root"])
        let kid2025 = try qrcert(["keygen", "--out", "keys/dn-2025"]).stdout.trimmingCharacters(in: .newlines)
        let kid2026 = try qrcert(["keygen", "--out", "keys/dn-2026"]).stdout.trimmingCharacters(in: .newlines)
        let root = ["--root-key", "root/vn-root.key.pem"]

        // 2. The trust list: created empty, then the issuer key added for driving licences.
        let created = try qrcert(["trust-list", "create"] + root + ["--authority", "Cục Đường bộ Việt Nam", "--environment", "production",
                                                                   "--out", "trust.cose", "--at", "2025-06-01"])
        XCTAssertEqual(created.errorLines, ["qrcert: wrote trust.cose: trust list, production, no keys yet, #1, issued 2025-06-01T00:00:00Z, next update due 2025-07-01T00:00:00Z, refused from 2025-07-15T00:00:00Z"])
        try qrcert(["trust-list", "create"] + root + ["--authority", "x", "--environment", "test", "--out", "trust.cose"], status: 2)
        let dn2025 = try qrcert(["trust-list", "add-key", "trust.cose"] + root + ["--key", "keys/dn-2025.pub.pem", "--issuer", "Sở GTVT Đà Nẵng",
                                                                               "--types", "driving-licence", "--not-before", "2020-01-01",
                                                                               "--not-after", "2030-01-01", "--at", "2025-06-01"])
        XCTAssertEqual(dn2025.errorLines, ["qrcert: added key \(kid2025) of Sở GTVT Đà Nẵng for vn.dl",
                                           "qrcert: wrote trust.cose: trust list, production, 1 key(s), #2, issued 2025-06-01T00:00:00Z, next update due 2025-07-01T00:00:00Z, refused from 2025-07-15T00:00:00Z"])
        try FileManager.default.copyItem(at: folder.appendingPathComponent("trust.cose"), to: folder.appendingPathComponent("trust-2.cose"))
        let shown = try qrcert(["trust-list", "show", "trust.cose", "--root", "root/vn-root.pub.pem"])
        XCTAssertEqual(Array(shown.lines.dropFirst()), [
            "  sequence     2",
            "  issued       2025-06-01T00:00:00Z",
            "  next update  2025-07-01T00:00:00Z (grace 14 day(s): refused from 2025-07-15T00:00:00Z)",
            "  environment  production",
            "  authority    Cục Đường bộ Việt Nam",
            "  keys         1",
            "",
            "  \(kid2025)  P-256  active",
            "    issuer  Sở GTVT Đà Nẵng",
            "    types   vn.dl",
            "    valid   2020-01-01T00:00:00Z → 2030-01-01T00:00:00Z",
        ])
        XCTAssertTrue(shown.lines.first?.hasSuffix("trust list #2, signature VERIFIED with root \(try rootKid())") == true, shown.stdout)

        // 3. Licences issued with the 2025 key.
        try write("licences.csv", Self.header
            + "048090000001,Nguyễn Văn An,Nam,1990-01-01,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,1 Trần Phú\n"
            + "048090000002,Trần Thị Bình,Nữ,1985-05-05,B,2024-04-01,2034-04-01,Sở GTVT Đà Nẵng,VNM,2 Bạch Đằng\n"
            + "048090000003,Lê Văn Cường,Nam,1979-09-09,C,2024-05-01,2029-05-01,Sở GTVT Đà Nẵng,VNM,3 Hùng Vương\n")
        let issued = try qrcert(["issue", "--key", "keys/dn-2025.key.pem", "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                 "--format", "payload", "licences.csv"])
        XCTAssertEqual(issued.lines.count, 3)
        let (first, second, third) = (issued.lines[0], issued.lines[1], issued.lines[2])
        let trusted = ["--trust-list", "trust.cose", "--root", "root/vn-root.pub.pem"]

        // 4. Verified against the trust list; the answer names the list.
        let valid = try verify(first, at: "2025-06-02", lists: trusted, status: 0)
        XCTAssertEqual(valid["valid"] as? Bool, true)
        XCTAssertEqual(valid["trusted_by"] as? String, "trust.cose #2: Sở GTVT Đà Nẵng")
        let list = try XCTUnwrap(valid["trust_list"] as? [String: Any])
        XCTAssertEqual(list["sequence"] as? Int, 2)
        XCTAssertEqual(list["issued_at"] as? String, "2025-06-01T00:00:00Z")
        XCTAssertEqual(list["environment"] as? String, "production")
        XCTAssertEqual(list["freshness"] as? String, "current")
        XCTAssertEqual((valid["revocation_lists"] as? [Any])?.count, 0)
        XCTAssertTrue(valid["revocation"] is NSNull)
        let text = try qrcert(["verify", "--at", "2025-06-02"] + trusted + [first])
        XCTAssertEqual(text.lines.first, " ✔ VALID   Driving licence")
        XCTAssertTrue(text.lines.contains("  Trust list #2 of 2025-06-01T00:00:00Z, production, Cục Đường bộ Việt Nam (trust.cose)"), text.stdout)

        // 5. One licence suspended by the issuer: SUSPENDED with its dates and reason; the others untouched.
        let suspended = try qrcert(["revoke", "--list", "revocations.cose", "--key", "keys/dn-2025.key.pem", "--issuer", "Sở GTVT Đà Nẵng",
                                    "--status", "suspended", "--since", "2025-06-02", "--until", "2025-09-30",
                                    "--reason", "trừ hết 12 điểm", "--payload", second, "--at", "2025-06-02"])
        XCTAssertEqual(suspended.errorLines.first, "qrcert: 1 certificate id(s) suspended from 2025-06-02 to 2025-09-30: trừ hết 12 điểm")
        let withRevocations = trusted + ["--revocations", "revocations.cose"]
        let answer = try verify(second, at: "2025-06-03", lists: withRevocations, status: 1)
        XCTAssertEqual(answer["code"] as? String, "CTI_SUSPENDED")
        XCTAssertEqual(answer["stage"] as? String, "revocation")
        XCTAssertEqual(answer["message"] as? String,
                       "suspended from 2025-06-02 to 2025-09-30 inclusive: trừ hết 12 điểm (revocation list #1 of Sở GTVT Đà Nẵng, revocations.cose)")
        let revocation = try XCTUnwrap(answer["revocation"] as? [String: String])
        XCTAssertEqual(revocation, ["status": "suspended", "since": "2025-06-02", "until": "2025-09-30", "reason": "trừ hết 12 điểm"])
        let revocationLists = try XCTUnwrap(answer["revocation_lists"] as? [[String: Any]])
        XCTAssertEqual(revocationLists.map { $0["sequence"] as? Int }, [1])
        XCTAssertEqual(revocationLists.map { $0["entries"] as? Int }, [1])
        XCTAssertEqual(revocationLists.map { $0["signer_kid"] as? String }, [kid2025])
        let suspendedText = try qrcert(["verify", "--at", "2025-06-03"] + withRevocations + [second], status: 1)
        XCTAssertEqual(suspendedText.lines.first, " ✘ SUSPENDED   Driving licence")
        XCTAssertTrue(suspendedText.lines.contains("  Revocation list #1 of 2025-06-02T00:00:00Z, 1 entries, Sở GTVT Đà Nẵng (revocations.cose)"),
                      suspendedText.stdout)
        XCTAssertEqual(try verify(first, at: "2025-06-03", lists: withRevocations, status: 0)["valid"] as? Bool, true)
        let cti = try XCTUnwrap(answer["cti"] as? String)
        let over = try qrcert(["revoke", "check", "revocations.cose", "--trust", "keys/dn-2025.pub.pem", "--cti", cti, "--at", "2025-10-01"])
        XCTAssertEqual(over.lines, ["\(cti)  suspended  2025-06-02 → 2025-09-30  trừ hết 12 điểm  (not in force at 2025-10-01T00:00:00Z)"])
        let check = try qrcert(["revoke", "check", "revocations.cose", "--trust-list", "trust.cose", "--root", "root/vn-root.pub.pem",
                                "--cti", cti, "--cti", "0000000000000000", "--at", "2025-06-03"], status: 1)
        XCTAssertEqual(check.lines, ["\(cti)  suspended  2025-06-02 → 2025-09-30  trừ hết 12 điểm", "0000000000000000  not listed"])

        // 6. Rotation: the 2026 key added, the 2025 key retired with an end date. Old and new licences both verify.
        try qrcert(["trust-list", "add-key", "trust.cose"] + root + ["--key", "keys/dn-2026.pub.pem", "--issuer", "Sở GTVT Đà Nẵng",
                                                                    "--types", "vn.dl", "--not-before", "2025-06-10", "--not-after", "2031-01-01",
                                                                    "--at", "2025-06-10"])
        let retired = try qrcert(["trust-list", "retire-key", "trust.cose"] + root + ["--kid", kid2025, "--end", "2027-01-01", "--at", "2025-06-10"])
        XCTAssertEqual(retired.errorLines.first,
                       "qrcert: retired key \(kid2025) at 2025-06-10T00:00:00Z; what it signed is accepted until 2027-01-01T00:00:00Z")
        try write("new.csv", Self.header + "048090000004,Phạm Thị Dung,Nữ,2000-02-02,B,2025-06-11,2035-06-11,Sở GTVT Đà Nẵng,VNM,4 Lê Duẩn\n")
        let fourth = try qrcert(["issue", "--key", "keys/dn-2026.key.pem", "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                 "--format", "payload", "new.csv"]).stdout.trimmingCharacters(in: .newlines)
        XCTAssertEqual(try verify(first, at: "2025-06-12", lists: withRevocations, status: 0)["trusted_by"] as? String, "trust.cose #4: Sở GTVT Đà Nẵng")
        XCTAssertEqual(try verify(fourth, at: "2025-06-12", lists: withRevocations, status: 0)["kid"] as? String, kid2026)
        XCTAssertEqual(try verify(second, at: "2025-06-12", lists: withRevocations, status: 1)["code"] as? String, "CTI_SUSPENDED")

        // The revocation list moves to the new key; a licence revoked for good.
        try qrcert(["revoke", "--list", "revocations.cose", "--key", "keys/dn-2026.key.pem", "--status", "revoked",
                    "--reason", "tòa án tước giấy phép", "--payload", third, "--at", "2025-06-12"], status: 2)
        try qrcert(["revoke", "--list", "revocations.cose", "--key", "keys/dn-2026.key.pem", "--previous-key", "keys/dn-2025.pub.pem",
                    "--status", "revoked", "--reason", "tòa án tước giấy phép", "--since", "2025-06-12", "--payload", third, "--at", "2025-06-12"])
        let revoked = try verify(third, at: "2025-06-13", lists: withRevocations, status: 1)
        XCTAssertEqual(revoked["code"] as? String, "CTI_REVOKED")
        XCTAssertEqual(revoked["revocation"] as? [String: String], ["status": "revoked", "since": "2025-06-12", "reason": "tòa án tước giấy phép"])
        XCTAssertEqual(try qrcert(["verify", "--at", "2025-06-13"] + withRevocations + [third], status: 1).lines.first, " ✘ REVOKED   Driving licence")

        // 7. Compromise: the 2025 key removed. Everything it signed is refused with its own code; the new key's licence is not.
        try qrcert(["trust-list", "remove-key", "trust.cose"] + root + ["--key", "keys/dn-2025.pub.pem", "--reason", "private key stolen", "--at", "2025-06-14"])
        let compromised = try verify(first, at: "2025-06-15", lists: withRevocations, status: 1)
        XCTAssertEqual(compromised["code"] as? String, "KEY_COMPROMISED")
        XCTAssertEqual(compromised["message"] as? String,
                       "key \(kid2025) of Sở GTVT Đà Nẵng was removed from the trust list on 2025-06-14T00:00:00Z (private key stolen); nothing it signed is accepted")
        XCTAssertEqual(try verify(third, at: "2025-06-15", lists: withRevocations, status: 1)["code"] as? String, "KEY_COMPROMISED")
        XCTAssertEqual(try verify(fourth, at: "2025-06-15", lists: withRevocations, status: 0)["valid"] as? Bool, true)
        let keys = try CLI.jsonObject(try qrcert(["trust-list", "show", "trust.cose", "--json"]).stdout)["keys"] as? [[String: Any]]
        XCTAssertEqual(keys?.map { $0["status"] as? String }, ["removed", "active"])
        XCTAssertEqual(keys?.first?["reason"] as? String, "private key stolen")

        // 8. Scope: the transport department's key may not sign a construction permit.
        let permits = try qrcert(["issue", "--key", "keys/dn-2026.key.pem", "--issuer", "Sở GTVT Đà Nẵng", "--profile", "construction-permit",
                                  "--format", "payload", CLI.fixture("records/construction-permits.csv").path])
        let scoped = try verify(permits.lines[0], at: "2025-06-15", lists: trusted, status: 1)
        XCTAssertEqual(scoped["code"] as? String, "KEY_SCOPE")
        XCTAssertEqual(scoped["message"] as? String, "key \(kid2026) of Sở GTVT Đà Nẵng may sign vn.dl, not vn.cp")

        // 9. Each list tampered with, replaced by an older edition, signed by another root, or of another environment: refused.
        func refused(_ lists: [String], at time: String = "2025-06-15", _ code: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let result = try qrcert(["verify", "--at", time] + lists + [fourth], status: 2, file: file, line: line)
            XCTAssertEqual(result.stdout, "", file: file, line: line)
            XCTAssertTrue(result.errorLines.first?.hasSuffix("[\(code)]") == true, result.stderr, file: file, line: line)
        }
        try refused(["--trust-list", try tampered("trust.cose"), "--root", "root/vn-root.pub.pem"], "TL_SIG_INVALID")
        try refused(trusted + ["--revocations", try tampered("revocations.cose")], "RL_SIG_INVALID")
        try refused(["--trust-list", "trust-2.cose", "--root", "root/vn-root.pub.pem"], "TL_ROLLBACK")
        try qrcert(["keygen", "--out", "root/other-root"])
        try qrcert(["trust-list", "create", "--root-key", "root/other-root.key.pem", "--authority", "Kẻ giả mạo", "--environment", "production",
                    "--out", "forged.cose", "--sequence", "99", "--at", "2025-06-15"])
        try refused(["--trust-list", "forged.cose", "--root", "root/vn-root.pub.pem"], "TL_WRONG_ROOT")
        try refused(trusted + ["--environment", "test"], "TL_ENVIRONMENT")
        try refused(trusted + ["--revocations", "trust.cose"], "RL_WRONG_KIND")
        try refused(["--trust-list", "revocations.cose", "--root", "root/vn-root.pub.pem"], "TL_WRONG_KIND")
        try refused(trusted, at: "2025-07-30", "TL_EXPIRED")
        // A huge file is refused by its size, before it is read (a sparse file: no disk is used).
        FileManager.default.createFile(atPath: folder.appendingPathComponent("huge.cose").path, contents: nil)
        let huge = try FileHandle(forWritingTo: folder.appendingPathComponent("huge.cose"))
        try huge.truncate(atOffset: 600 << 20)
        try huge.close()
        try refused(trusted + ["--revocations", "huge.cose"], "RL_TOO_LARGE")

        // Out of date but within the grace period: still answers, with a loud warning on stderr.
        let stale = try qrcert(["verify", "--at", "2025-07-20"] + trusted + [fourth])
        XCTAssertEqual(stale.lines.first, " ✔ VALID   Driving licence")
        XCTAssertTrue(stale.lines.contains("  Trust list #5 of 2025-06-14T00:00:00Z, production, Cục Đường bộ Việt Nam (trust.cose) — OUT OF DATE"), stale.stdout)
        XCTAssertEqual(stale.errorLines, [
            "qrcert: warning: TRUST LIST trust.cose (#5) IS OUT OF DATE: its next update was due 2025-07-14T00:00:00Z; it stops working at 2025-07-28T00:00:00Z [TL_STALE]",
            "qrcert: hint: fetch the current trust list from the authority before 2025-07-28T00:00:00Z",
        ])
        try refused(trusted, at: "2025-07-28", "TL_EXPIRED")
        // Renewed by the authority: a new edition, working again.
        try qrcert(["trust-list", "renew", "trust.cose"] + root + ["--at", "2025-07-29"])
        XCTAssertEqual(try qrcert(["verify", "--at", "2025-07-30"] + trusted + [fourth]).errorLines, [])

        // What this computer remembers: the newest edition of each list, by signer.
        let memory = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("state/qrcert/accepted-lists.json")))
            as? [String: [String: Any]])
        XCTAssertEqual(memory["trust-list:\(try rootKid()):production"]?["sequence"] as? Int, 6)
        XCTAssertEqual(memory["revocations:issuer:Sở GTVT Đà Nẵng"]?["sequence"] as? Int, 2)
    }

    /// The root's key id, as keygen printed it (recomputed through `trust-list show --json`).
    private func rootKid() throws -> String {
        let shown = try CLI.jsonObject(try qrcert(["trust-list", "show", "trust.cose", "--json"]).stdout)
        return try XCTUnwrap(shown["signer_kid"] as? String)
    }
}

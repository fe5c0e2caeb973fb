import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The verifier's one-pass text checks (`FieldText.Facts`, `VISCII.decodeWithFacts`) answer every rule as the
/// general functions the issuer uses (`isNFC`, `trimmed`, `hasControlCharacter`, `VISCII.encode`/`decode`), and the
/// record's text fields reject every class the checks made one by one rejected, with the same message.
final class FieldTextTests: XCTestCase {
    /// Texts of every class the rules tell apart: ASCII, Vietnamese (precomposed and decomposed), every kind of
    /// unsafe character, white space of each kind at each edge, scalars without a VISCII code, non-BMP, empty.
    static let corpus: [String] = {
        var texts = ["", "A", "B2", "048090001234", "NGUYỄN VĂN AN", "Nguyễn Văn An", "Phòng CSGT Công an TP. Đà Nẵng",
                     "Sở GTVT Hà Nội", "Nữ", "Đ", "đường", "Cục Cảnh sát giao thông", "  padded", "padded ", " ", "\t", "a\tb",
                     "\u{00A0}nbsp", "nbsp\u{00A0}", "\u{3000}ideo", "ideo\u{3000}", "\u{2003}em", "em\u{2009}", "\u{1680}ogham",
                     "a\u{00A0}b", "Nguye\u{0302}\u{0303}n", "e\u{0301}", "\u{0301}", "Å", "A\u{030A}", "ﬁ", "Ω", "\u{2126}",
                     "한국", "\u{1100}\u{1161}", "日本語", "emoji 🚗", "🚗", "a\u{1F1FB}\u{1F1F3}", "line\nbreak", "cr\r\nlf",
                     "nul\u{0}", "del\u{7F}", "c1\u{85}", "c1\u{9F}x", "soft\u{AD}hyphen", "bidi\u{202E}evil", "iso\u{2066}late",
                     "mark\u{200F}", "zw\u{200B}sp", "bom\u{FEFF}", "ls\u{2028}", "ps\u{2029}", "tag\u{E0041}", "arabic\u{61C}",
                     "Ũ", "ũ", "Ơ", "ư", "Ạ", "ỹ", "Ỵ", "Õ", "õ", "x\u{1EF9}", "ÿ", "ā", "Ș", "ß", "ǅ", "\u{2FF}", "\u{300}",
                     "\u{1DFF}", "\u{1E00}", "\u{1EFF}", "\u{1F00}", "ﬀ", "Ⅻ", "Ａ", "x\u{0}y", "x\u{1}", "\u{2}", "\u{1E}",
                     String(repeating: "Ữ", count: 40), String(repeating: "a", count: 300)]
        // Every VISCII character alone and inside ASCII, every C0/C1 control, and the edges of the NFC-stable ranges.
        for value in VISCII.scalars { if let s = Unicode.Scalar(value) { texts.append(String(s)); texts.append("x\(s)y") } }
        for value: UInt32 in [0x2FF, 0x300, 0x36F, 0x1DFF, 0x1E00, 0x1EFF, 0x1F00, 0x2000, 0x200A, 0x202F, 0x205F, 0xFFFD, 0x10FFFF] {
            if let s = Unicode.Scalar(value) { texts.append(" \(s)"); texts.append("\(s) "); texts.append("a\(s)b") }
        }
        // Each kind of byte at every offset of the first words (the ASCII check reads eight bytes at a time).
        for special in ["\u{0}", "\u{1F}", "\u{20}", "\u{7F}", "\u{80}", "é", "Ữ", "\u{202E}", "\u{3000}", "🚗", "e\u{0301}"] {
            for offset in 0..<18 {
                texts.append(String(repeating: "a", count: offset) + special + "bcdefghijk")
                texts.append("abcdefghijk" + String(repeating: "b", count: offset) + special)
            }
        }
        return texts
    }()

    /// Each fact is what the general function says, for every text of the corpus.
    func testFactsAnswerAsTheGeneralFunctions() {
        for text in Self.corpus {
            let facts = FieldText.Facts(text)
            XCTAssertEqual(facts.utf8Count, text.utf8.count, text.debugDescription)
            XCTAssertEqual(facts.hasControlCharacter, FieldText.hasControlCharacter(text), text.debugDescription)
            XCTAssertEqual(facts.isASCII, text.utf8.allSatisfy { $0 < 0x80 }, text.debugDescription)
            XCTAssertEqual(facts.hasVISCIICodes, VISCII.encode(text) != nil, text.debugDescription)
            XCTAssertEqual(FieldText.isNFC(text, facts), FieldText.isNFC(text), text.debugDescription)
            XCTAssertEqual(FieldText.isTrimmed(text, facts), FieldText.trimmed(text) == text, text.debugDescription)
            if facts.isNFCStable { XCTAssertTrue(FieldText.isNFC(text), text.debugDescription) }
            if !facts.hasEdgeSpace { XCTAssertEqual(FieldText.trimmed(text), text, text.debugDescription) }
        }
    }

    /// The white-space fast path agrees with the platform's general category for every scalar, and the VISCII code
    /// table with `VISCII.encode`.
    func testSpaceAndCodeTablesAreThePlatformsAndEncodes() {
        for value in UInt32(0)..<0x110000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            // Compared, then asserted only when they differ: a million assertions would be most of the test's time.
            let space = value == 0x09 || scalar.properties.generalCategory == .spaceSeparator
            if FieldText.Facts.isSpace(value) != space { XCTFail("isSpace \(String(value, radix: 16))") }
            let encodable = value < 0x80 || (0xC0...0x1EF9).contains(value) ? VISCII.encode(String(scalar)) != nil : false
            if VISCII.hasCode(value) != encodable { XCTFail("hasCode \(String(value, radix: 16))") }
        }
    }

    /// `decodeWithFacts` gives `decode`'s text and that text's facts, for every byte alone, in ASCII, and for runs of bytes.
    func testVISCIIDecodingWithFactsIsDecodeAndFacts() {
        var inputs: [[UInt8]] = [[], [0x20], [0x20, 0x41], [0x41, 0x20], Array("NGUY".utf8) + [0xC3, 0x4E]]
        for byte in UInt8.min...UInt8.max { inputs += [[byte], [0x41, byte, 0x42], [byte, byte]] }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { inputs.append((0..<Int.random(in: 1...40, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }) }
        for bytes in inputs {
            let (text, facts) = VISCII.decodeWithFacts(bytes)
            let expected = VISCII.decode(bytes), reference = FieldText.Facts(expected)
            XCTAssertEqual(Array(text.utf8), Array(expected.utf8), "\(bytes)")
            XCTAssertEqual(facts.utf8Count, reference.utf8Count, "\(bytes)")
            XCTAssertEqual(facts.hasControlCharacter, reference.hasControlCharacter, "\(bytes)")
            XCTAssertEqual(facts.isASCII, reference.isASCII, "\(bytes)")
            XCTAssertEqual(facts.isNFCStable, reference.isNFCStable, "\(bytes)")
            XCTAssertEqual(facts.hasEdgeSpace, reference.hasEdgeSpace, "\(bytes)")
            XCTAssertTrue(facts.hasVISCIICodes)
        }
    }

    /// A record's text value is accepted or refused, with the same message, as by the checks made one after the
    /// other before the one-pass version (`reference`, kept here as it was): every class of the corpus as a text
    /// string, as VISCII bytes, with and without `max_length`, and as a `QC2:` digits field's text.
    func testRecordTextRulesRejectWhatTheyRejectedOneByOne() {
        var items: [CBOR] = [.bytes([]), .int(3), .null, .array([]), .bytes([0x41, 0x42]), .bytes([0x20, 0xC3]), .bytes([0xC3, 0x20])]
        for text in Self.corpus {
            items.append(.text(text))
            if let bytes = VISCII.encode(text) { items.append(.bytes(bytes)) }
        }
        for byte in UInt8.min...UInt8.max { items += [.bytes([byte]), .bytes([0x41, byte]), .bytes([byte, 0x20])] }
        for item in items {
            for maxLength in [nil, 1, 3, 12, 100] as [Int?] {
                for visciiForm in [true, false] {
                    let got = Result { () throws(QRCertError) in
                        try Credential.text(of: item, name: "full_name", maxLength: maxLength, visciiForm: visciiForm)
                    }
                    let want = Result { () throws(QRCertError) in
                        try Self.reference(item, name: "full_name", maxLength: maxLength, visciiForm: visciiForm)
                    }
                    switch (got, want) {
                    case (.success(let a), .success(let b)): XCTAssertEqual(Array(a.utf8), Array(b.utf8), "\(item)")
                    case (.failure(let a), .failure(let b)): XCTAssertEqual(a, b, "\(item) \(maxLength ?? -1) \(visciiForm)")
                    default: XCTFail("\(item) \(maxLength ?? -1) \(visciiForm): \(got) but before \(want)")
                    }
                }
            }
        }
    }

    /// The issuer-claim rule keeps its one message for every refused class.
    func testIssuerRuleRefusesEachClass() throws {
        let key = try PrivateKey.generate(.edDSA).publicKey
        for issuer in ["", " Sở GTVT", "Sở GTVT ", "Sở\u{202E}GTVT", "Nguye\u{0302}\u{0303}n", String(repeating: "a", count: 201), "\u{3000}x"] {
            XCTAssertFalse(Self.issuerAccepted(issuer, signer: key), issuer.debugDescription)
        }
        for issuer in ["Sở GTVT Hà Nội", "Phòng CSGT Công an TP. Đà Nẵng", String(repeating: "a", count: 200), "A\u{00A0}B"] {
            XCTAssertTrue(Self.issuerAccepted(issuer, signer: key), issuer.debugDescription)
        }
    }

    private static func issuerAccepted(_ issuer: String, signer key: PublicKey) -> Bool {
        var input = PolicyInput(prefix: .qrcert, claims: CWTClaims(issuer: issuer, issuedAt: 0),
                                signer: TrustAnchor(keyID: [], key: key, certificate: nil, source: "test"), time: 0, clockSkew: 0)
        let codes = ContentPolicy(profiles: [:]).check(&input).map(\.code)
        return !codes.contains("CWT_BAD_ISSUER")
    }

    /// `Credential.text(of:field:visciiForm:)` as it was before the one-pass checks (kept verbatim).
    static func reference(_ item: CBOR, name: String, maxLength: Int?, visciiForm: Bool) throws(QRCertError) -> String {
        func bad(_ reason: String) -> QRCertError {
            QRCertError(.content, "CONTENT_BAD_FIELD", "field \(name) \(reason)")
        }
        let text: String
        switch item {
        case .text(let value):
            text = value
            if FieldText.hasControlCharacter(text) { throw bad("holds a control character") }
            if visciiForm && !text.utf8.allSatisfy({ $0 < 0x80 }) && VISCII.encode(text) != nil {
                throw bad("must be VISCII bytes: every character of its text has a VISCII code")
            }
        case .bytes(let bytes) where visciiForm:
            text = VISCII.decode(bytes)
            if FieldText.hasControlCharacter(text) { throw bad("holds a control character") }
            if text.utf8.allSatisfy({ $0 < 0x80 }) { throw bad("must be a text string: it is all ASCII") }
        default:
            throw bad("must be text (a text string, or VISCII bytes)")
        }
        if text.isEmpty { throw bad("is empty (an empty value is left out, never signed)") }
        if FieldText.trimmed(text) != text { throw bad("has leading or trailing white space") }
        if !FieldText.isNFC(text) { throw bad("is not in Unicode Normalization Form C") }
        if let max = maxLength, text.utf8.count > max, text.count > max {
            throw bad("has \(text.count) characters, more than its \(max)")
        }
        return text
    }
}

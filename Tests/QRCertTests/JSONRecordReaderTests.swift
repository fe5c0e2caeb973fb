import Foundation
import QRCert
import QRCertFormat
import XCTest

/// JSON arrays of objects and JSON Lines: line numbers, value kinds, escapes, and bad records.
final class JSONRecordReaderTests: XCTestCase {
    func testArrayRecordsCarryTheLineOfTheirOpeningBrace() throws {
        let text = """
            [
              {
                "licence_no": "048090001234",
                "class": "B"
              },
              {"licence_no": "048090001235", "class": "A1"},

              {
                "licence_no": "048090001236", "class": "C"}
            ]

            """
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .array, in: self)), [
            "2 licence_no=048090001234|class=B",
            "6 licence_no=048090001235|class=A1",
            "8 licence_no=048090001236|class=C",
        ])
    }

    func testEmptyArrayAndByteOrderMark() throws {
        XCTAssertEqual(try RecordText.json(" [ ] \n", layout: .array, in: self), [])
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[{\"a\":\"x\"}]".utf8)
        var reader = JSONRecordReader(handle: try RecordText.handle(bytes, in: self), source: "b.json", layout: .array)
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), ["1 a=x"])
    }

    func testJSONLinesNumbersBlankLinesAndCRLF() throws {
        let text = "{\"a\":\"1\"}\n\n{\"a\":\"2\"}\r\n   \n{\"a\":\"3\"}"
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, in: self)), [
            "1 a=1", "3 a=2", "5 a=3",
        ])
    }

    func testNullIsEmpty() throws {
        let text = #"{"expiry_date": null, "n": "048090001234"}"# + "\n"
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, in: self)), [
            "1 expiry_date=|n=048090001234",
        ])
    }

    /// A licence number exported as a number has lost its leading zero (048090001234 -> 48090001234):
    /// the record is refused, naming the field, and the next record is still read.
    func testANumberRejectsTheRecordNamingTheField() throws {
        let text = """
            {"licence_no": 48090001234, "name": "Lê"}
            {"licence_no": "048090001235", "neg": -5}
            {"licence_no": "048090001236", "f": 1.50, "e": 2E+3}
            {"licence_no": "048090001237"}

            """
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, source: "n.jsonl", in: self)), [
            "n.jsonl:1: licence_no: value is the JSON number 48090001234; write it as a string, a number keeps no leading zeros [REC_JSON_NUMBER]",
            "n.jsonl:2: neg: value is the JSON number -5; write it as a string, a number keeps no leading zeros [REC_JSON_NUMBER]",
            "n.jsonl:3: f: value is the JSON number 1.50; write it as a string, a number keeps no leading zeros [REC_JSON_NUMBER]",
            "4 licence_no=048090001237",
        ])
    }

    func testNestedAndBooleanValuesRejectTheRecordNamingTheField() throws {
        let text = """
            {"a":"1","address":{"street":"12 Trần Phú","parts":[1,2]}}
            {"a":"2","list":["x"]}
            {"a":"3","ok":true}
            {"a":"4","ok":false}
            {"a":"5"}

            """
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, source: "n.jsonl", in: self)), [
            "n.jsonl:1: address: value is an object or array; expected a string or null [REC_BAD_TYPE]",
            "n.jsonl:2: list: value is an object or array; expected a string or null [REC_BAD_TYPE]",
            "n.jsonl:3: ok: value is a boolean; expected a string or null [REC_BAD_TYPE]",
            "n.jsonl:4: ok: value is a boolean; expected a string or null [REC_BAD_TYPE]",
            "5 a=5",
        ])
        // In an array the same record is rejected and the next one is still read.
        let array = "[\n{\"a\":\"1\",\"b\":[\"x\",{\"y\":\"]\"}]},\n{\"a\":\"2\"}\n]"
        XCTAssertEqual(RecordText.summary(try RecordText.json(array, layout: .array, source: "n.json", in: self)), [
            "n.json:2: b: value is an object or array; expected a string or null [REC_BAD_TYPE]",
            "3 a=2",
        ])
    }

    func testDuplicateKeysRejectTheRecord() throws {
        let text = #"{"class":"B","class":"A1"}"# + "\n" + #"{"class":"C"}"# + "\n"
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, source: "d.jsonl", in: self)), [
            "d.jsonl:1: class: key appears twice in the object [REC_DUPLICATE_KEY]",
            "2 class=C",
        ])
    }

    func testEscapesIncludingSurrogatePairs() throws {
        let text = #"{"s":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \u1EA1 \ud83d\ude97 \u0041"}"# + "\n"
        let results = try RecordText.json(text, layout: .lines, in: self)
        guard case .row(let row)? = results.first else { return XCTFail("\(results)") }
        XCTAssertEqual(row["s"], "q\" b\\ s/ \u{08}\u{0C}\n\r\t é ạ 🚗 A")
    }

    func testBadEscapesAreSyntaxErrors() throws {
        let text = [
            #"{"s":"\ud83d"}"#,           // high surrogate alone
            #"{"s":"\ud83d\u0041"}"#,     // high surrogate followed by a non-surrogate
            #"{"s":"\udc00"}"#,           // low surrogate alone
            #"{"s":"\x"}"#,               // not an escape
            #"{"s":"\u12G4"}"#,           // not hex
            "{\"s\":\"tab\there\"}",      // raw control character
            #"{"s":"ok"}"#,
        ].joined(separator: "\n") + "\n"
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, source: "e.jsonl", in: self)), [
            "e.jsonl:1: unpaired surrogate in \\u escape [REC_BAD_JSON]",
            "e.jsonl:2: unpaired surrogate in \\u escape [REC_BAD_JSON]",
            "e.jsonl:3: bad \\u escape [REC_BAD_JSON]",
            "e.jsonl:4: bad escape in string [REC_BAD_JSON]",
            "e.jsonl:5: bad \\u escape [REC_BAD_JSON]",
            "e.jsonl:6: control character inside a string [REC_BAD_JSON]",
            "7 s=ok",
        ])
    }

    func testDecomposedTextAndKeysAreNormalisedToNFC() throws {
        let text = "{\"ho\u{0323}_te\u{0302}n\":\"Nguye\u{0302}\u{0303}n\"}\n"
        let results = try RecordText.json(text, layout: .lines, in: self)
        guard case .row(let row)? = results.first else { return XCTFail("\(results)") }
        XCTAssertEqual(row.fields.map { Array($0.name.utf8) }, [Array("họ_tên".utf8)])
        XCTAssertEqual(row.fields.map { Array($0.value.utf8) }, [Array("Nguyễn".utf8)])
    }

    /// A JSON Lines record is one line: a line cut short is rejected alone, and the next line is read.
    func testACutLineNeverSwallowsTheNextRecord() throws {
        let text = [
            #"{"a":"1"}"#,
            #"{"a":"2","b":"x""#,          // cut before }
            #"{"a":"3"}"#,
            #"{"a":"4","b":["x","#,       // cut inside a nested value
            #"{"a":"5"}"#,
            #"{"a":"6","#,                // cut after a comma
            #"{"a":"7"} {"a":"8"}"#,      // two objects on one line
            #"{"a":"9"}"#,
        ].joined(separator: "\n") + "\n"
        XCTAssertEqual(RecordText.summary(try RecordText.json(text, layout: .lines, source: "c.jsonl", in: self)), [
            "1 a=1",
            "c.jsonl:2: the record ends before its closing } [REC_BAD_JSON]",
            "3 a=3",
            "c.jsonl:4: unclosed object or array on this line [REC_BAD_JSON]",
            "5 a=5",
            "c.jsonl:6: expected a string [REC_BAD_JSON]",
            "c.jsonl:7: text after the object on the same line [REC_BAD_JSON]",
            "8 a=9",
        ])
    }

    func testArraySyntaxErrorsStopTheReadWithTheirLocation() throws {
        var reader = JSONRecordReader(handle: try RecordText.handle(Array("[\n{\"a\":\"1\"}\n{\"a\":\"2\"}\n]".utf8), in: self),
                                      source: "s.json", layout: .array)
        XCTAssertEqual(RecordText.summary([try XCTUnwrap(try reader.next())]), ["2 a=1"])
        assertQRCertError(.records, "REC_BAD_JSON", message: "s.json:3: expected , or ] between records") {
            _ = try reader.next()
        }
        // After a syntax error the reader has ended.
        XCTAssertNil(try reader.next())

        var notArray = JSONRecordReader(handle: try RecordText.handle(Array("{\"a\":\"1\"}".utf8), in: self),
                                        source: "o.json", layout: .array)
        assertQRCertError(.records, "REC_BAD_JSON", message: "o.json:1: a JSON array of objects must start with [") {
            _ = try notArray.next()
        }
        var unclosed = JSONRecordReader(handle: try RecordText.handle(Array("[{\"a\":\"1\"}".utf8), in: self),
                                        source: "u.json", layout: .array)
        XCTAssertNotNil(try unclosed.next())
        assertQRCertError(.records, "REC_BAD_JSON", message: "u.json:1: the array is not closed") {
            _ = try unclosed.next()
        }
        var trailing = JSONRecordReader(handle: try RecordText.handle(Array("[]\n[]".utf8), in: self),
                                        source: "t.json", layout: .array)
        assertQRCertError(.records, "REC_BAD_JSON", message: "t.json:2: text after the closing ]") {
            _ = try trailing.next()
        }
    }

    func testInvalidUTF8InAStringRejectsTheLine() throws {
        let bytes = Array("{\"a\":\"L".utf8) + [0xEA] + Array("\"}\n{\"a\":\"ok\"}\n".utf8)
        var reader = JSONRecordReader(handle: try RecordText.handle(bytes, in: self), source: "u.jsonl", layout: .lines)
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), [
            "u.jsonl:1: string is not valid UTF-8 [REC_BAD_UTF8]",
            "2 a=ok",
        ])
    }
}

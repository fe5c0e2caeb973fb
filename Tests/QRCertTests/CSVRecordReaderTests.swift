import Foundation
import QRCert
import QRCertFormat
import XCTest

/// RFC 4180 as records arrive in practice: quoting, embedded newlines, CRLF, a BOM, NFD text, bad rows.
final class CSVRecordReaderTests: XCTestCase {
    func testQuotedFieldsWithCommasAndDoubledQuotes() throws {
        let results = try RecordText.csv(#"""
            name,address,note
            "Lê Văn Tám","12 Trần Phú, Hải Châu","he said ""xin chào"""
            plain,"",""""

            """#, in: self)
        XCTAssertEqual(RecordText.summary(results), [
            "2 name=Lê Văn Tám|address=12 Trần Phú, Hải Châu|note=he said \"xin chào\"",
            "3 name=plain|address=|note=\"",
        ])
    }

    func testEmbeddedNewlinesKeepTheStartingLineOfEachRecord() throws {
        let text = "a,b\n" +              // line 1
            "\"one\ntwo\",x\n" +          // lines 2-3
            "plain,y\n" +                 // line 4
            "\"three\n\nfour\",z\n" +     // lines 5-7 (a blank line inside quotes is data)
            "last,\"w\nv\"\n" +           // lines 8-9
            "end,e\n"                     // line 10
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, in: self)), [
            "2 a=one\ntwo|b=x",
            "4 a=plain|b=y",
            "5 a=three\n\nfour|b=z",
            "8 a=last|b=w\nv",
            "10 a=end|b=e",
        ])
    }

    func testCRLFLineEndingsAndCRLFInsideQuotes() throws {
        let text = "a,b\r\n1,2\r\n\"x\r\ny\",3\r\n4,5"
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, in: self)), [
            "2 a=1|b=2",
            "3 a=x\r\ny|b=3",
            "5 a=4|b=5",  // no final line break: the last record is still read
        ])
    }

    func testByteOrderMarkIsSkippedOnlyAtTheStart() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("licence_no,class\n1,B\n".utf8)
        var reader = CSVRecordReader(handle: try RecordText.handle(bytes, in: self), source: "bom.csv")
        let results = try RecordText.drain(&reader)
        XCTAssertEqual(reader.fieldNames, ["licence_no", "class"])
        XCTAssertEqual(RecordText.summary(results), ["2 licence_no=1|class=B"])
        // A BOM in a value later on is not a BOM: it is kept (U+FEFF), not silently eaten.
        let later = try RecordText.csv("a\n\u{FEFF}x\n", in: self)
        XCTAssertEqual(RecordText.summary(later), ["2 a=\u{FEFF}x"])
    }

    func testBrokenByteOrderMarkIsNotUTF8() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0x41] + Array(",b\n".utf8)
        var reader = CSVRecordReader(handle: try RecordText.handle(bytes, in: self), source: "x.csv")
        assertQRCertError(.records, "REC_BAD_UTF8", message: "x.csv:1: input is not UTF-8") {
            _ = try reader.next()
        }
    }

    func testDecomposedVietnameseIsNormalisedToNFC() throws {
        // "Nguyễn Thị Ánh" typed on macOS arrives decomposed: e + circumflex + tilde, A + acute.
        let nfd = "Nguye\u{0302}\u{0303}n Thi\u{0323} A\u{0301}nh"
        let nfc = "Nguyễn Thị Ánh"
        XCTAssertNotEqual(Array(nfd.utf8), Array(nfc.utf8))
        let results = try RecordText.csv("full_name\n\(nfd)\n\"\(nfd)\"\n", in: self)
        for result in results {
            guard case .row(let row) = result else { return XCTFail("\(result)") }
            XCTAssertEqual(Array((row["full_name"] ?? "").utf8), Array(nfc.utf8))
        }
        XCTAssertEqual(results.count, 2)
    }

    func testBlankLinesAreSkippedButAQuotedEmptyValueIsARow() throws {
        let text = "a\n\nx\n\r\n\n\"\"\ny\n\n"
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, in: self)), ["3 a=x", "6 a=", "7 a=y"])
    }

    func testRaggedRowsAreRejectedAndReadingGoesOn() throws {
        let text = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n,,\n5,6,7\n"
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, source: "r.csv", in: self)), [
            "2 a=1|b=2|c=3",
            "r.csv:3: row has 2 fields, the header has 3 [REC_RAGGED]",
            "r.csv:4: row has 4 fields, the header has 3 [REC_RAGGED]",
            "5 a=|b=|c=",
            "6 a=5|b=6|c=7",
        ])
    }

    /// What the reader yields for `text` up to the error that stops it (nil when it reads to the end).
    private func untilStop(_ text: String, source: String, delimiter: CSVRecordReader.Delimiter? = nil) throws -> (rows: [String], stop: QRCertError?) {
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: source, delimiter: delimiter)
        var results: [RecordReadResult] = []
        do {
            while let next = try reader.next() { results.append(next) }
        } catch let error as QRCertError {
            // A stopped reader stays stopped: nothing after the bad row is ever yielded.
            XCTAssertNil(try reader.next())
            return (RecordText.summary(results), error)
        }
        return (RecordText.summary(results), nil)
    }

    /// The smuggling case: a stray quote, then a quoted address holding a newline and a whole record.
    /// Skipping to the next physical line would read the hidden record as a row of its own.
    func testAQuoteInsideAnUnquotedValueStopsReadingSoAHiddenRecordIsNeverARow() throws {
        let text = "id,name,address\n" +
            "1,Ngô Bảo Châu,Hà Nội\n" +
            "2,Lê \"Tám\",\"12 Trần Phú\n" +
            "9,KẺ GIẢ MẠO,forged\"\n" +
            "3,Trần Thị Mai,Đà Nẵng\n"
        let (rows, stop) = try untilStop(text, source: "q.csv")
        XCTAssertEqual(rows, ["2 id=1|name=Ngô Bảo Châu|address=Hà Nội"])
        XCTAssertEqual(stop?.code, "REC_BAD_QUOTE")
        XCTAssertEqual(stop?.message, "q.csv:3: name: field 2 has a quote inside an unquoted value; reading stopped, the row's end cannot be told")
    }

    func testTextAfterAClosingQuoteStopsReading() throws {
        let (rows, stop) = try untilStop("name,class\n\"Lê\" Tám,B\n9,\"x\n9,y\"\n\"Ngô Bảo Châu\",A1\n", source: "q.csv")
        XCTAssertEqual(rows, [])
        XCTAssertEqual(stop?.code, "REC_BAD_QUOTE")
        XCTAssertEqual(stop?.message, "q.csv:2: name: field 1 has text after its closing quote; reading stopped, the row's end cannot be told")
    }

    func testABadQuoteInsideAMultiLineRecordNamesTheLineWhereTheRecordStarts() throws {
        let (rows, stop) = try untilStop("a,b\nok,1\n\"one\ntwo\"x,1\nok,2\n", source: "m.csv")
        XCTAssertEqual(rows, ["2 a=ok|b=1"])
        XCTAssertEqual(stop?.message, "m.csv:3: a: field 1 has text after its closing quote; reading stopped, the row's end cannot be told")
    }

    /// Faults whose row end is known (ragged, bad UTF-8, too long) still reject the row alone, and the
    /// reader finds that end through quotes: a newline inside a quoted field of the bad row is not a row end.
    func testARaggedRowWithAQuotedNewlineIsRejectedAtItsRealEnd() throws {
        let text = "a,b,c\n1,2,3\n4,\"x\n7,8,9\"\n5,6,7\n"
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, source: "r.csv", in: self)), [
            "2 a=1|b=2|c=3",
            "r.csv:3: row has 2 fields, the header has 3 [REC_RAGGED]",
            "5 a=5|b=6|c=7",
        ])
    }

    // MARK: - Separators

    func testASemicolonHeaderMakesASemicolonFile() throws {
        let text = "name;address;class\n\"Lê Văn Tám\";\"12 Trần Phú; Hải Châu, Đà Nẵng\";B\nNgô;Huế;A1\n"
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: "s.csv")
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), [
            "2 name=Lê Văn Tám|address=12 Trần Phú; Hải Châu, Đà Nẵng|class=B",
            "3 name=Ngô|address=Huế|class=A1",
        ])
        XCTAssertEqual(reader.delimiter, .semicolon)
    }

    func testACommaHeaderStaysCommaEvenWithSemicolonsInQuotedNames() throws {
        let text = "\"a;b\",c\n1;2,3\n"
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: "c.csv")
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), ["2 a;b=1;2|c=3"])
        XCTAssertEqual(reader.delimiter, .comma)
    }

    func testAGivenDelimiterIsUsedAsGiven() throws {
        // A one-column header has no separator to detect; --delimiter says it.
        let text = "name\nLê;Văn\n"
        let (rows, _) = try untilStop(text, source: "g.csv", delimiter: .semicolon)
        XCTAssertEqual(rows, ["g.csv:2: row has 2 fields, the header has 1 [REC_RAGGED]"])
        let (commaRows, _) = try untilStop(text, source: "g.csv")
        XCTAssertEqual(commaRows, ["2 name=Lê;Văn"])
    }

    func testDetectionReadsAHeaderLongerThanOneChunk() throws {
        // The header line is looked at before it is parsed; it may straddle the stream's 64 KiB chunks.
        let names = (1...9000).map { "column_\($0)" }
        let text = names.joined(separator: ";") + "\n" + (1...9000).map(String.init).joined(separator: ";") + "\n"
        var limits = CSVRecordReader.Limits.standard
        limits.maxFields = 10_000
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: "w.csv", limits: limits)
        let results = try RecordText.drain(&reader)
        XCTAssertEqual(reader.delimiter, .semicolon)
        XCTAssertEqual(reader.fieldNames?.count, 9000)
        guard case .row(let row)? = results.first else { return XCTFail("\(results)") }
        XCTAssertEqual(row.fields.last?.value, "9000")
    }

    // MARK: - The header against the profile

    private func start(_ header: String) throws -> QRCertError? {
        var reader = CSVRecordReader(handle: try RecordText.handle(Array((header + "\n").utf8), in: self), source: "h.csv")
        let profile = try TestFixtures.profile("driving-licence")
        do throws(QRCertError) {
            try reader.start(checking: profile)
            return nil
        } catch {
            return error
        }
    }

    func testTheHeaderIsCheckedOnceAgainstTheProfile() throws {
        let all = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address"
        XCTAssertNil(try start(all))
        let unknown = try XCTUnwrap(try start(all + ",blood_type"))
        XCTAssertEqual(unknown.code, "REC_UNKNOWN_COLUMN")
        XCTAssertEqual(unknown.message, "h.csv:1: the header names a column the profile does not have: blood_type")
        XCTAssertEqual(unknown.hint, "the columns of profile vn.dl are " + all.replacingOccurrences(of: ",", with: ", "))
        let missing = try XCTUnwrap(try start(all.replacingOccurrences(of: "full_name,", with: "")))
        XCTAssertEqual(missing.code, "REC_MISSING_COLUMN")
        XCTAssertEqual(missing.message, "h.csv:1: the header has no column for required field full_name")
        let cased = try XCTUnwrap(try start(all.replacingOccurrences(of: "full_name", with: "Full_Name")))
        XCTAssertEqual(cased.code, "REC_UNKNOWN_COLUMN")
        XCTAssertTrue(cased.hint?.hasPrefix("column names are case-sensitive (Full_Name -> full_name)") ?? false, cased.hint ?? "")
    }

    func testUnterminatedQuoteIsRejectedAtTheLineWhereItOpens() throws {
        let text = "a,b\n1,2\n3,\"never closed\n4,5\n6,7\n"
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, source: "u.csv", in: self)), [
            "2 a=1|b=2",
            "u.csv:3: b: quoted field opened here is never closed [REC_UNTERMINATED_QUOTE]",
        ])
    }

    func testInvalidUTF8IsRejectedWithItsColumnAndReadingGoesOn() throws {
        let bytes = Array("name,class\n".utf8) + [0x4C, 0xEA] + Array(",B\nLê,A\n".utf8)
        XCTAssertEqual(RecordText.summary(try RecordText.csv(bytes, source: "l1.csv", in: self)), [
            "l1.csv:2: name: field 1 is not valid UTF-8 [REC_BAD_UTF8]",
            "3 name=Lê|class=A",
        ])
    }

    func testHeaderNamesAreTrimmedAndMustBeUniqueAndNonEmpty() throws {
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(" a , b \n1,2\n".utf8), in: self), source: "h.csv")
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), ["2 a=1|b=2"])
        XCTAssertEqual(reader.fieldNames, ["a", "b"])

        var twice = CSVRecordReader(handle: try RecordText.handle(Array("a,b,a\n".utf8), in: self), source: "h.csv")
        assertQRCertError(.records, "REC_BAD_HEADER", message: "h.csv:1: header names a twice") {
            _ = try twice.next()
        }
        var empty = CSVRecordReader(handle: try RecordText.handle(Array("a,,b\n".utf8), in: self), source: "h.csv")
        assertQRCertError(.records, "REC_BAD_HEADER", message: "h.csv:1: header has an empty field name") {
            _ = try empty.next()
        }
        var nothing = CSVRecordReader(handle: try RecordText.handle([], in: self), source: "e.csv")
        assertQRCertError(.records, "REC_EMPTY_INPUT", message: "e.csv: no header row") {
            _ = try nothing.next()
        }
        var headerOnly = CSVRecordReader(handle: try RecordText.handle(Array("a,b\n".utf8), in: self), source: "e.csv")
        XCTAssertEqual(try RecordText.drain(&headerOnly), [])
    }

    func testValuesKeepTheirSpacesForTheProfileToJudge() throws {
        XCTAssertEqual(RecordText.summary(try RecordText.csv("a,b\n  x , y\n", in: self)), ["2 a=  x |b= y"])
    }

    /// Rows straddling the 64 KiB read chunks: a CRLF split across two chunks, a doubled quote split
    /// across two chunks, and line numbers still right far into the file.
    func testChunkBoundariesDoNotChangeWhatIsRead() throws {
        let chunk = 1 << 16
        var text = "id,value\r\n"
        var expected: [String] = []
        var line = 2
        // Fill with rows until the next row can be placed so that its CR is the last byte of the first chunk.
        while text.utf8.count + 100 < chunk {
            text += "\(line),filler\r\n"
            expected.append("\(line) id=\(line)|value=filler")
            line += 1
        }
        let padding = chunk - text.utf8.count - "x,".utf8.count - 1  // "x," + padding + "\r" ends at chunk - 1
        let padded = String(repeating: "p", count: padding)
        text += "x,\(padded)\r\n"
        expected.append("\(line) id=x|value=\(padded)")
        line += 1
        XCTAssertEqual(Array(text.utf8)[chunk - 1], 0x0D)
        XCTAssertEqual(Array(text.utf8)[chunk], 0x0A)
        // Second boundary: the two quotes of an escaped quote on either side of byte 2 * chunk.
        while text.utf8.count + 100 < 2 * chunk {
            text += "\(line),filler\r\n"
            expected.append("\(line) id=\(line)|value=filler")
            line += 1
        }
        let before = 2 * chunk - text.utf8.count - "y,\"".utf8.count - 1  // the first quote of "" at 2 * chunk - 1
        let quotedStart = String(repeating: "q", count: before)
        text += "y,\"\(quotedStart)\"\"end\"\n"
        XCTAssertEqual(Array(text.utf8)[2 * chunk - 1], UInt8(ascii: "\""))
        XCTAssertEqual(Array(text.utf8)[2 * chunk], UInt8(ascii: "\""))
        expected.append("\(line) id=y|value=\(quotedStart)\"end")
        line += 1
        text += "last,row\n"
        expected.append("\(line) id=last|value=row")
        XCTAssertEqual(RecordText.summary(try RecordText.csv(text, in: self)), expected)
    }

    func testBytesReadCountsTheWholeInput() throws {
        let text = "a,b\n1,2\n3,4\n"
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: "t.csv")
        _ = try RecordText.drain(&reader)
        XCTAssertEqual(reader.bytesRead, text.utf8.count)
    }

    func testLimitsRejectOneRowAndReadingGoesOn() throws {
        var limits = CSVRecordReader.Limits.standard
        limits.maxFieldBytes = 8
        let text = "a,b\n123456789,x\nshort,y\n"
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(text.utf8), in: self), source: "l.csv", limits: limits)
        XCTAssertEqual(RecordText.summary(try RecordText.drain(&reader)), [
            "l.csv:2: a: field 1 is longer than 8 bytes [REC_FIELD_TOO_LONG]",
            "3 a=short|b=y",
        ])
    }
}

import Foundation
import QRCert
import QRCertFormat

// libFuzzer target: the CSV, JSON-array and JSON Lines record readers (docs/HOSTILE.md). Built by
// scripts/fuzz with `--sanitize fuzzer --sanitize address`; a plain build only compiles it.
//
// The first byte picks the reader (bits 0-1: CSV, JSON array, JSON Lines) and whether tiny limits apply
// (bit 2), so the size bounds are reached with short inputs; the rest is the file, read through a real
// file descriptor (a pipe) as the CLI reads files. Properties: no crash, no hang, bounded memory; every
// record is a row or a rejection with a code, line numbers never go back, a CSV row has exactly the
// header's fields, and the whole input is consumed when reading ends without an error.

/// Linux pipes hold 64 KiB: the whole input is written before reading starts, so no writer thread is needed.
private let pipeCapacity = 1 << 16

/// A read handle on a pipe already holding `bytes` and closed for writing.
private func pipeHolding(_ bytes: [UInt8]) -> FileHandle {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { fatalError("pipe failed: \(errno)") }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress.map { $0 + written }, bytes.count - written) }
        guard n > 0 else { fatalError("write to pipe failed: \(errno)") }
        written += n
    }
    close(fds[1])
    return FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
}

private func drain(_ reader: inout some RecordReader, inputSize: Int, header: [String]?) {
    var lastLine = 0
    var records = 0
    do throws(QRCertError) {
        while let next = try reader.next() {
            records += 1
            // Each record consumes at least one byte (a blank CSV line yields nothing).
            guard records <= inputSize + 1 else { fatalError("more records than input bytes") }
            switch next {
            case .row(let row):
                guard row.line >= lastLine else { fatalError("line numbers went back: \(row.line) after \(lastLine)") }
                lastLine = row.line
                if let header, row.fields.map(\.name) != header { fatalError("CSV row fields differ from the header") }
            case .rejected(let rejection):
                guard rejection.line >= lastLine else { fatalError("line numbers went back: \(rejection.line) after \(lastLine)") }
                lastLine = rejection.line
                guard rejection.error.stage == .records, !rejection.error.code.isEmpty else {
                    fatalError("rejection outside the records stage: \(rejection.error)")
                }
            }
        }
        guard reader.bytesRead == inputSize else { fatalError("reading ended after \(reader.bytesRead) of \(inputSize) bytes") }
    } catch {
        guard error.stage == .records || error.stage == .io, !error.code.isEmpty else {
            fatalError("reader failed outside its stage: \(error)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecords(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: min(size - 1, pipeCapacity)))
    let tiny = selector & 4 != 0
    let handle = pipeHolding(body)
    switch selector & 3 {
    case 0, 3:
        var limits = CSVRecordReader.Limits.standard
        if tiny { (limits.maxFieldBytes, limits.maxRowBytes, limits.maxFields) = (16, 64, 4) }
        var reader = CSVRecordReader(handle: handle, source: "fuzz.csv", limits: limits)
        // The header is read with the first record; check rows against it from then on.
        var first: RecordReadResult?
        do throws(QRCertError) {
            first = try reader.next()
        } catch {
            guard error.stage == .records || error.stage == .io else { fatalError("header failed outside its stage: \(error)") }
            return 0
        }
        guard let header = reader.fieldNames else { fatalError("CSV reader returned without a header") }
        if case .row(let row)? = first, row.fields.map(\.name) != header { fatalError("first row differs from the header") }
        if first == nil {
            guard reader.bytesRead == body.count else { fatalError("header-only input not consumed") }
            return 0
        }
        drain(&reader, inputSize: body.count, header: header)
    case 1:
        var reader = JSONRecordReader(handle: handle, source: "fuzz.json", layout: .array, maxRecordBytes: tiny ? 64 : 1 << 20)
        drain(&reader, inputSize: body.count, header: nil)
    default:
        var reader = JSONRecordReader(handle: handle, source: "fuzz.jsonl", layout: .lines, maxRecordBytes: tiny ? 64 : 1 << 20)
        drain(&reader, inputSize: body.count, header: nil)
    }
    return 0
}

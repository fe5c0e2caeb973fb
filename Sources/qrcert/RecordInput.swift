import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertFormat

/// Record input formats.
enum InputFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, jsonl

    /// From a file name's extension.
    init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": self = .csv
        case "json": self = .json
        case "jsonl", "ndjson": self = .jsonl
        default: return nil
        }
    }
}

/// An open record source: the reader and what the progress bar needs to know about it.
struct RecordInput {
    var reader: any RecordReader
    let source: String
    let totalBytes: Int?

    /// Opens `path` (`-` or nil: stdin) as `format` (default: from the extension; CSV for stdin).
    /// `name` replaces the path in messages (a spooled stdin is still `<stdin>`).
    static func open(_ path: String?, format: InputFormat?, delimiter: CSVRecordReader.Delimiter? = nil,
                     name: String? = nil) throws(QRCertError) -> RecordInput {
        let handle: FileHandle
        let source: String
        var totalBytes: Int?
        if path == nil || path == "-" {
            handle = FileHandle.standardInput
            source = "<stdin>"
        } else if let path {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
                throw QRCertError(.io, "IO_READ", "input \(path) \(reason)")
            }
            handle = opened
            source = name ?? path
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        } else {
            throw QRCertError(.usage, "USAGE", "no input")
        }
        let chosen: InputFormat
        if let format {
            chosen = format
        } else if let path, path != "-" {
            guard let guessed = InputFormat(path: path) else {
                throw QRCertError(.usage, "USAGE", "cannot tell the format of \(path) from its extension",
                                  hint: "pass --input-format csv, json or jsonl")
            }
            chosen = guessed
        } else {
            chosen = .csv
        }
        if delimiter != nil && chosen != .csv {
            throw QRCertError(.usage, "USAGE", "--delimiter applies to CSV input")
        }
        let reader: any RecordReader
        switch chosen {
        case .csv: reader = CSVRecordReader(handle: handle, source: source, delimiter: delimiter)
        case .json: reader = JSONRecordReader(handle: handle, source: source, layout: .array)
        case .jsonl: reader = JSONRecordReader(handle: handle, source: source, layout: .lines)
        }
        return RecordInput(reader: reader, source: source, totalBytes: totalBytes)
    }
}

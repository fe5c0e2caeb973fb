import ArgumentParser
import Foundation
import QRCert
import QRCertIO
import QRCertCrypto
import QRCertFormat

/// `--out`, `--sequence`, `--valid-days`, `--grace-days`, `--at`: how the next edition of a list is made
/// and where it goes (`ListEdition` in QRCert makes it).
struct Edition: ParsableArguments {
    @Option(help: "Write the new edition here instead of replacing the file.")
    var out: String?

    @Option(help: "Sequence number of the new edition (default: one more than the current one).")
    var sequence: UInt64?

    @Option(name: .customLong("valid-days"), help: "Days until the next update is due (default: as the current edition).")
    var validDays: Int?

    @Option(name: .customLong("grace-days"), help: "Grace period in days (default: as the current edition).")
    var graceDays: Int?

    @Option(help: "Signing time (ISO 8601) instead of now.")
    var at: String?

    /// The edition asked for.
    var value: ListEdition { ListEdition(sequence: sequence, validDays: validDays, graceDays: graceDays) }
}

/// The one way `trust-list` and `revoke` change a signed list: open it (its signer checked by `open`) or
/// make a new one, renew its edition, apply the change, sign it (the signature checked), write it
/// atomically and say what was written on stderr.
enum ListEditor {
    /// Edits `file` with `signer` at `time`. `create` makes the list when the file does not exist (nil: the
    /// file must exist); `change` returns the line that says what it did; `what` describes the result.
    static func edit<List: SignedList>(_ file: String, edition: Edition, signer: any Signer, at time: Int64,
                                       open: ([UInt8]) throws(QRCertError) -> List,
                                       create: (() throws(QRCertError) -> List)? = nil,
                                       change: (inout List) throws(QRCertError) -> String,
                                       what: (List) -> String) throws(QRCertError) {
        var list: List
        let creating = create != nil && !FileManager.default.fileExists(atPath: file)
        if creating, let create {
            list = try create()
        } else {
            list = try open(try ListFile.read(file, List.kind))
            try list.renew(edition.value, at: time)
        }
        let done = try change(&list)
        try write(list, to: edition.out ?? file, creating: creating && edition.out == nil, signer: signer, done: done, what: what(list))
    }

    /// Signs `list` and writes it to `target`: a new file is created exclusively (never overwritten), an
    /// existing one replaced atomically. Then `qrcert: DONE` and `qrcert: wrote ...` on stderr.
    static func write(_ list: some SignedList, to target: String, creating: Bool, signer: any Signer, done: String?, what: String) throws(QRCertError) {
        let bytes = try list.signed(with: signer)
        if creating {
            try Files.createExclusive(target, bytes: bytes, mode: 0o644)
        } else {
            try Files.writeAtomically(target, bytes: bytes)
        }
        if let done { Console.diagnostic("qrcert: \(done)") }
        Console.diagnostic("qrcert: wrote \(target): \(ListRenderer.written(list.header, what: what))")
    }
}

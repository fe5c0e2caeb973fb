import Foundation
import QRCert
import QRCertIO
import QRCertFormat
import QRCertPrint

/// The PDF of a `--layout sheet` run: written under a temporary name (`OUT/sheet.pdf.tmp-…`) as pages fill,
/// renamed to its final name only when the run ends, so a file under a final name is always a whole document.
final class SheetFile {
    /// The final name inside the output folder, e.g. `sheet.pdf`.
    let name: String
    private let path: String
    private let temporary: String
    private var fd: Int32
    private var writer: SheetWriter?
    private var committed = false

    /// Opens the temporary file for `name` in `folder`.
    init(folder: String, name: String, options: PrintOptions, title: String, date: String) throws(QRCertError) {
        self.name = name
        path = folder + "/" + name
        temporary = path + ".tmp-\(getpid())"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(code)))", hint: Files.spaceHint(code))
        }
        let descriptor = fd, shown = path
        do throws(QRCertError) {
            writer = try SheetWriter(options: options, title: title, date: date) { (chunk: UnsafeRawBufferPointer) throws(QRCertError) in
                try Files.writeAll(descriptor, Array(chunk), path: shown)
            }
        } catch {
            discard()
            throw error
        }
    }

    deinit { discard() }

    /// Places one item; its page and slot.
    func add(_ item: PrintItem) throws(QRCertError) -> (page: Int, slot: Int) {
        guard let writer else { throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "\(path) is already closed") }
        return try writer.add(item)
    }

    /// Finishes the document, flushes it to disk and gives it its final name.
    func commit() throws(QRCertError) {
        guard let writer, !committed else { return }
        try writer.finish()
        self.writer = nil
        guard fsync(fd) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot write \(path): \(String(cString: strerror(errno)))", hint: Files.spaceHint(errno))
        }
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            throw QRCertError(.io, "IO_WRITE", "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    /// Removes the temporary file (a run that failed leaves no half-written sheet).
    private func discard() {
        writer = nil
        if fd >= 0 { close(fd); fd = -1 }
        if !committed { unlink(temporary) }
    }
}

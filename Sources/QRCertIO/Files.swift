import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat

/// File plumbing with the guarantees the CLI promises: no partial files, no overwritten keys.
public enum Files {
    /// Reads a whole file; IO_READ naming it otherwise.
    public static func read(_ path: String, what: String = "file") throws(QRCertError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw QRCertError(.io, "IO_READ", "\(what) \(path) \(reason)")
        }
        return [UInt8](data)
    }

    /// Creates `path` with `mode`, failing if it exists (O_EXCL), and writes `bytes` fully.
    public static func createExclusive(_ path: String, bytes: [UInt8], mode: mode_t) throws(QRCertError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST {
                throw QRCertError(.io, "IO_EXISTS", "\(path) already exists; refusing to overwrite it")
            }
            throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(e)))")
        }
        do throws(QRCertError) {
            try writeAll(fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw QRCertError(.io, "IO_WRITE", "cannot write \(path): \(String(cString: strerror(errno)))") }
            close(fd)
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
    }

    /// Writes `bytes` to a temporary name beside `path`, then renames it: readers see the whole file or none.
    public static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t = 0o644) throws(QRCertError) {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            let code = errno
            throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(code)))", hint: spaceHint(code))
        }
        defer { close(directory) }
        let temporary = try writeTemporary(bytes, in: directory, beside: name, mode: mode, path: path)
        guard renameat(directory, temporary, directory, name) == 0 else {
            let message = String(cString: strerror(errno))
            unlinkat(directory, temporary, 0)
            throw QRCertError(.io, "IO_WRITE", "cannot rename a temporary file to \(path): \(message)")
        }
    }

    /// Writes `bytes` whole to a new temporary name beside `name` in `directory` (never following a link) and
    /// returns that name; nothing is left behind if writing fails. Errors name `path`, the file the user knows.
    private static func writeTemporary(_ bytes: [UInt8], in directory: Int32, beside name: String, mode: mode_t,
                                       path: String) throws(QRCertError) -> String {
        let temporary = name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(code)))", hint: spaceHint(code))
        }
        do throws(QRCertError) {
            try writeAll(fd, bytes, path: path)
            close(fd)
        } catch {
            close(fd)
            unlinkat(directory, temporary, 0)
            throw error
        }
        return temporary
    }

    /// Places a record's file at `file` (a name, or `shard/name`) inside the output `folder`: written under a
    /// temporary name, then linked to its final name only if that name is free, so a name already taken (by
    /// another record or any other file) fails this record with `OUT_NAME_TAKEN` and replaces nothing.
    /// `replacing` (a resumed run's own leftovers) renames over the final name instead. The shard folder and
    /// every name are opened relative to the folder without following symbolic links, so a link planted in
    /// the output folder is refused rather than written through.
    public static func place(_ bytes: [UInt8], folder: String, file: String, replacing: Bool) throws(QRCertError) {
        let path = folder + "/" + file
        let base = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard base >= 0 else { throw QRCertError(.io, "IO_WRITE", "cannot open folder \(folder): \(String(cString: strerror(errno)))") }
        defer { close(base) }
        var directory = base
        var name = file
        if let slash = file.lastIndex(of: "/") {
            let shard = String(file[..<slash])
            name = String(file[file.index(after: slash)...])
            if mkdirat(base, shard, 0o755) != 0 && errno != EEXIST {  // workers race to make it: EEXIST is success
                throw QRCertError(.io, "IO_WRITE", "cannot create folder \(folder)/\(shard): \(String(cString: strerror(errno)))", hint: spaceHint(errno))
            }
            directory = openat(base, shard, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directory >= 0 else {
                let code = errno
                let reason = code == ELOOP || code == ENOTDIR ? "is not a folder of this run (a symbolic link or a file); refused" : String(cString: strerror(code))
                throw QRCertError(.io, "IO_WRITE", "\(folder)/\(shard) \(reason)")
            }
        }
        defer { if directory != base { close(directory) } }
        let temporary = try writeTemporary(bytes, in: directory, beside: name, mode: 0o644, path: path)
        if replacing {
            guard renameat(directory, temporary, directory, name) == 0 else {
                let message = String(cString: strerror(errno))
                unlinkat(directory, temporary, 0)
                throw QRCertError(.io, "IO_WRITE", "cannot rename a temporary file to \(path): \(message)")
            }
            return
        }
        defer { unlinkat(directory, temporary, 0) }
        if linkat(directory, temporary, directory, name, 0) == 0 { return }
        var code = errno
        if code == EPERM || code == EOPNOTSUPP || code == ENOSYS {
            // No hard links (vfat, exFAT: USB sticks): claim the name exclusively, then rename over the claim.
            let claim = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if claim >= 0 {
                close(claim)
                if renameat(directory, temporary, directory, name) == 0 { return }
                code = errno
                unlinkat(directory, name, 0)
            } else {
                code = errno
            }
        }
        if code == EEXIST {
            throw QRCertError(.io, "OUT_NAME_TAKEN", "\(path) already exists; nothing was replaced",
                              hint: "issue into an empty folder; ids that differ only in letter case get distinct names")
        }
        throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(code)))", hint: spaceHint(code))
    }

    /// The hint for a write that failed because space ran out (a full disk, a quota, `ulimit -f`).
    public static func spaceHint(_ code: Int32) -> String? {
        code == ENOSPC || code == EFBIG || code == EDQUOT ? "the disk (or a file size limit) is full" : nil
    }

    /// Writes the whole of `bytes` to `fd` (retrying after a signal); IO_WRITE naming `path` otherwise.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(QRCertError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                throw QRCertError(.io, "IO_WRITE", "cannot write \(path): \(String(cString: strerror(code)))", hint: spaceHint(code))
            }
            offset += n
        }
    }

    /// Copies stdin to a private temporary file and returns its path (the caller removes it).
    public static func spoolStandardInput() throws(QRCertError) -> String {
        let path = NSTemporaryDirectory() + "/qrcert-stdin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QRCertError(.io, "IO_WRITE", "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        do {
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                try writeAll(fd, [UInt8](chunk), path: path)
            }
        } catch let error as QRCertError {
            unlink(path)
            throw error
        } catch {
            unlink(path)
            throw QRCertError(.io, "IO_READ", "cannot read stdin: \(error.localizedDescription)")
        }
        return path
    }

    /// Refuses a private key file that group or others may read, as ssh does.
    public static func checkPrivateKeyMode(_ path: String) throws(QRCertError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw QRCertError(.io, "IO_READ", "key file \(path) does not exist")
        }
        if info.st_mode & 0o077 != 0 {
            throw QRCertError(.key, "KEY_PERMISSIONS",
                              "private key \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8)))",
                              hint: "run: chmod 600 \(path)")
        }
    }

    /// Makes `path` and its parents; IO_WRITE if it cannot, or if it is not a folder.
    public static func makeDirectory(_ path: String) throws(QRCertError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw QRCertError(.io, "IO_WRITE", "\(path) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw QRCertError(.io, "IO_WRITE", "cannot create folder \(path): \(error.localizedDescription)")
        }
    }

    /// A file name for a record id: letters, digits, `-`, `_` and `.` kept, every other byte percent-encoded
    /// (so two ids never share a name), a leading dot encoded, at most 200 bytes. An id with an ASCII capital
    /// letter ends in `~` and 8 hex digits of SHA-256 over the id, so ids that differ only in letter case get
    /// distinct names on a case-insensitive file system (a USB stick, macOS): `ab` is `ab`, `AB` is
    /// `AB~<hash>` and `Ab` is `Ab~<other hash>`. A name over 200 bytes is cut to 183 bytes followed by `~`
    /// and 16 hex digits of that hash. `~` is always encoded otherwise, so neither form equals another id's
    /// name. (Non-ASCII bytes are percent-encoded with capital hex digits, the same for every id.)
    public static func safeName(_ id: String) -> String {
        var out = ""
        var capitals = false
        for (i, byte) in id.utf8.enumerated() {
            let c = Character(Unicode.Scalar(byte))
            let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (byte == UInt8(ascii: ".") && i > 0)
            if byte >= 0x41 && byte <= 0x5A { capitals = true }
            if plain { out.append(c) } else { out += String(format: "%%%02X", byte) }
        }
        let hash = Hex.encode(Digest.sha256(Array(id.utf8)))
        guard out.utf8.count > 200 else { return capitals ? out + "~" + String(hash.prefix(8)) : out }
        return String(out.prefix(183)) + "~" + String(hash.prefix(16))
    }
}

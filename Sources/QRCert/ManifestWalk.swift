import QRCertFormat

/// The `--resume` rules: an earlier run's manifest walked alongside the input, so that each record is issued
/// exactly once (docs/BATCH.md "Stopping and resuming").
///
/// A run places each record's file under its final name before it writes the record's manifest line, and
/// writes lines in input order; so after a stop the manifest is a prefix of the records to issue. The walk:
/// - expects every record that passes its checks to be the next manifest line, with the same id, file, EC level
///   and `cti` (so the same key, type and issue date), else `RESUME_MISMATCH`; a record the earlier run
///   rejected while producing it (`Manifest.producedReject`) is not in the manifest and is tried again;
/// - trusts no payload it reads back: each is checked with this run's key against the claims this run would sign
///   for the input record (`Issuer.recheck`) before the record is skipped or its file drawn again;
/// - skips a record whose file has the size its line records; a missing or different file is drawn again from
///   the line's payload (no new signature: the manifest stays the truth), and the first present one is drawn
///   and compared byte for byte, so a resume with another module size or margin is refused;
/// - on a sheet run (one PDF for the run) only checks that the sheet the line names exists.
/// The output folder and the manifest's lines are reached through `Folder`, so the rules hold whatever stores them.
public final class ManifestWalk {
    /// What the walk reads and writes in the output folder; `file` is a path inside it, as a manifest line names it.
    public protocol Folder {
        /// The manifest's next complete line (without its newline) and its 1-based number; nil after the last.
        mutating func nextLine() throws(QRCertError) -> (number: Int, bytes: [UInt8])?
        /// Whether `file` exists.
        func exists(_ file: String) -> Bool
        /// The size of `file`; nil if it is missing.
        func size(_ file: String) -> Int?
        /// The contents of `file`.
        func read(_ file: String) throws(QRCertError) -> [UInt8]
        /// Puts `bytes` in place as `file`, replacing what is there.
        func place(_ bytes: [UInt8], file: String) throws(QRCertError)
    }

    /// PNGs (cards, stamps) drawn again from their manifest payload.
    public private(set) var redrawn = 0

    private var folder: any Folder
    private let manifestPath: String
    private let issuer: Issuer
    private let ec: String
    private let sheet: Bool
    private let producedRejects: Set<String>
    private var pending: (number: Int, bytes: [UInt8])?
    private var ended = false
    private var comparedOne = false

    /// A walk of the manifest `folder` yields, named `manifestPath` in errors, for a run that signs with `issuer`
    /// at EC level `ec` (a `sheet` run or one with a file per record); `producedRejects` are the ids the earlier
    /// run rejected while producing them.
    public init(folder: any Folder, manifestPath: String, issuer: Issuer, ec: String, sheet: Bool,
                producedRejects: Set<String>) {
        self.folder = folder
        self.manifestPath = manifestPath
        self.issuer = issuer
        self.ec = ec
        self.sheet = sheet
        self.producedRejects = producedRejects
    }

    /// Whether the earlier run already issued `credential`, which the input gives next; `file` is where this run
    /// would put it, and `draw` renders a payload as this run would (a PNG, a card, a stamp).
    public func issued(_ credential: Credential, file: String,
                       draw: (String) throws(QRCertError) -> [UInt8]) throws(QRCertError) -> Bool {
        guard let (number, bytes) = try nextLine() else { return false }
        pending = nil
        let line = try Manifest.decode(bytes, number: number, path: manifestPath, sheet: sheet)
        let lineFile = line.file ?? ""  // `Manifest.decode` requires a file
        let id = credential.id
        let cti = Hex.encode(issuer.certificateID(for: credential) ?? [])
        func mismatch(_ what: String) -> QRCertError {
            QRCertError(.io, "RESUME_MISMATCH", "\(manifestPath):\(number): \(what)",
                        hint: "resume with the same input and options as the stopped run, or issue into a new folder")
        }
        guard line.id == id else {
            if producedRejects.contains(id) {
                // Rejected while it was produced, so never in the manifest: this line is the next record's.
                pending = (number, bytes)
                return false
            }
            throw mismatch("the earlier run issued \(line.id) here, but the input's next record is \(id)")
        }

        guard line.ec == ec else { throw mismatch("\(id) was issued at EC level \(line.ec), this run asks for \(ec)") }
        if sheet {
            guard line.cti == cti else {
                throw mismatch("\(id) has cti \(line.cti), this run would give \(cti): another key, type or issue date")
            }
            guard folder.exists(lineFile) else {
                throw mismatch("\(lineFile), which holds \(id), is missing")
            }
            return true
        }
        guard let fileBytes = line.fileBytes else { throw mismatch("\(id) was printed on a sheet, this run writes a file per record") }
        guard line.file == file else { throw mismatch("\(id) is in \(lineFile), this run's layout puts it in \(file) (check --shard)") }
        guard line.cti == cti else {
            throw mismatch("\(id) has cti \(line.cti), this run would give \(cti): another key, type or issue date")
        }
        if let reason = issuer.recheck(line.payload, for: credential) {
            throw mismatch("the payload of \(id) is not what this run signs for it: \(reason)")
        }
        let present = folder.size(lineFile) == fileBytes
        if !present || !comparedOne {
            let drawn = try draw(line.payload)
            guard drawn.count == fileBytes else {
                throw mismatch("\(lineFile) drawn again has \(drawn.count) bytes, the manifest says \(fileBytes) (check --module-size and --margin)")
            }
            if present {
                guard try folder.read(lineFile) == drawn else {
                    throw mismatch("\(lineFile) differs from the image of its manifest payload (check --module-size and --margin)")
                }
            } else {
                try folder.place(drawn, file: lineFile)
                redrawn += 1
            }
            comparedOne = true
        }
        return true
    }

    /// Throws if the manifest holds records the input did not reach (another or a shortened input).
    public func finish() throws(QRCertError) {
        guard let (number, bytes) = try nextLine() else { return }
        let line = try Manifest.decode(bytes, number: number, path: manifestPath, sheet: sheet)
        throw QRCertError(.io, "RESUME_MISMATCH", "\(manifestPath):\(number): the earlier run issued \(line.id), which this input does not hold",
                          hint: "resume with the same input and options as the stopped run, or issue into a new folder")
    }

    /// The line put back by the last call, else the folder's next.
    private func nextLine() throws(QRCertError) -> (number: Int, bytes: [UInt8])? {
        if let pending { return pending }
        guard !ended else { return nil }
        guard let next = try folder.nextLine() else {
            ended = true
            return nil
        }
        return next
    }
}

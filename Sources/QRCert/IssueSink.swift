import QRCertFormat

/// Where an issuing run's results go, in input order: the CLI's output folder (manifest.jsonl, rejects.jsonl, a
/// sheet) or payload lines on stdout; tests and later output formats plug in the same way.
///
/// `BatchIssue.run(_:into:skip:shouldStop:produce:observe:)` calls `issued` and `rejected` on the calling thread,
/// in input order, once the record's `Product` (what the workers made of it, e.g. a PNG already under its final
/// name) is done; so a sink that writes a manifest line per `issued` writes it after the file is in place.
/// `close` is the owner's call, once the run has ended.
public protocol IssueSink<Product>: AnyObject {
    /// What a worker made of one credential (a file's name, size and QR version, say).
    associatedtype Product: Sendable
    /// Records an issued credential: the row it came from, its signed result and what was produced for it.
    func issued(row: RecordRow, credential: Credential, issued: Issuer.Issued, product: Product) throws(QRCertError)
    /// Records a rejected row.
    func rejected(_ rejection: RejectedRow) throws(QRCertError)
    /// Flushes and closes what the sink holds: the run's output is complete.
    func close() throws(QRCertError)
}

extension BatchIssue {
    /// Reads `reader` to its end (or until `shouldStop`), as `run(_:skip:shouldStop:produce:emit:)`, and hands each
    /// issued and rejected record to `sink` in input order; `observe` sees every entry (skipped ones too) just
    /// before the sink does, for counts and progress.
    @discardableResult
    public func run<Reader: RecordReader, Sink: IssueSink>(
        _ reader: inout Reader,
        into sink: Sink,
        skip: (Credential) throws(QRCertError) -> Bool = { _ in false },
        shouldStop: () -> Bool = { false },
        produce: @escaping @Sendable (Credential, Issuer.Issued) throws(QRCertError) -> Sink.Product,
        observe: (Entry<Sink.Product>) throws(QRCertError) -> Void = { _ in }
    ) throws(QRCertError) -> Completion {
        try run(&reader, skip: skip, shouldStop: shouldStop, produce: produce) { (entry: Entry<Sink.Product>) throws(QRCertError) in
            try observe(entry)
            switch entry {
            case .issued(let row, let credential, let issued, let product):
                try sink.issued(row: row, credential: credential, issued: issued, product: product)
            case .rejected(let rejection):
                try sink.rejected(rejection)
            case .skipped:
                break
            }
        }
    }
}

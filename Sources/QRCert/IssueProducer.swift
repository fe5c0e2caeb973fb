import QRCertFormat

/// What an issuing run makes of each signed credential, on the worker threads: its QR code drawn (a PNG, a card,
/// a stamp) and written under its name in the output folder, or an item for the sink to place.
///
/// `BatchIssue.run(_:producing:into:resuming:shouldStop:observe:)` calls `produce` on the workers and hands its
/// result to the `IssueSink`; a resumed run matches the earlier manifest through `file(for:)` and `draw`.
public protocol IssueProducer<Product>: Sendable {
    /// What a worker made of one credential.
    associatedtype Product: Sendable
    /// Draws and writes `credential`'s output from its signed result.
    func produce(_ credential: Credential, _ issued: Issuer.Issued) throws(QRCertError) -> Product
    /// Where `credential`'s output goes, as a path inside the output folder (as a manifest line names it).
    func file(for credential: Credential) -> String
    /// The bytes `produce` writes for `credential` with `payload`, not written (a resumed run compares or places them).
    func draw(_ credential: Credential, payload: String) throws(QRCertError) -> [UInt8]
}

extension BatchIssue {
    /// Reads `reader` to its end (or until `shouldStop`): each record checked, signed, verified and handed to
    /// `producer` on the workers, then to `sink` in input order (`run(_:into:skip:shouldStop:produce:observe:)`).
    /// With `resuming`, records an earlier run issued are matched against its manifest and passed over
    /// (`ManifestWalk`), and after a finished input the manifest must hold nothing more.
    @discardableResult
    public func run<Reader: RecordReader, Producer: IssueProducer, Sink: IssueSink>(
        _ reader: inout Reader,
        producing producer: Producer,
        into sink: Sink,
        resuming walk: ManifestWalk? = nil,
        shouldStop: () -> Bool = { false },
        observe: (Entry<Sink.Product>) throws(QRCertError) -> Void = { _ in }
    ) throws(QRCertError) -> Completion where Producer.Product == Sink.Product {
        let completion = try run(&reader, into: sink, skip: { (credential: Credential) throws(QRCertError) -> Bool in
            guard let walk else { return false }
            return try walk.issued(credential, file: producer.file(for: credential),
                                   draw: { (payload: String) throws(QRCertError) -> [UInt8] in
                                       try producer.draw(credential, payload: payload)
                                   })
        }, shouldStop: shouldStop, produce: { (credential: Credential, issued: Issuer.Issued) throws(QRCertError) -> Sink.Product in
            try producer.produce(credential, issued)
        }, observe: observe)
        if completion == .finished { try walk?.finish() }
        return completion
    }
}

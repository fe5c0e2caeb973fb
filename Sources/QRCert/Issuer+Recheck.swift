import QRCertCrypto
import QRCertFormat

extension Issuer {
    /// Why `payload` is not what this issuer signs for `credential`, or nil when it is: a qrcert payload
    /// whose protected header (algorithm, kid) and signed claims are byte for byte those `issue` produces
    /// for `credential`, with the unprotected header this run writes (`x5chain` with `--embed-cert`), and whose signature verifies with this key. Only an
    /// ECDSA signature's randomness may differ from a fresh `issue`.
    ///
    /// A resumed batch trusts a payload read back from its manifest this far and no further: another
    /// `--issuer`, key, profile or record, or a payload edited in the file, is caught before it is drawn.
    public func recheck(_ payload: String, for credential: Credential) -> String? {
        let decoded: Payload
        do throws(QRCertError) {
            decoded = try Payload.decode(payload)
        } catch {
            return "it does not decode (\(error.code))"
        }
        guard decoded.prefix == encoding.prefix else {
            let version = decoded.prefix == .qrcert ? "1" : decoded.prefix == .compact ? "2" : nil
            return "its prefix is \(decoded.prefix.rawValue), not \(encoding.prefix.rawValue)"
                + (version.map { " (a run begun with --payload-version \($0) resumes with it)" } ?? "")
        }
        let expectedClaims: CWTClaims
        do throws(QRCertError) {
            expectedClaims = try claims(for: credential)
        } catch {
            return "this run cannot sign the record (\(error.code))"
        }
        let expected = CoseSign1(protectedHeader: [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                                                   CBORPair(.int(CoseSign1.kidLabel), .bytes(keyID))],
                                 payload: CBOREncoder.encode(expectedClaims.encoded()))
        let cose = decoded.cose
        guard cose.protectedBytes == expected.protectedBytes else {
            return "it was signed under another key id or algorithm"
        }
        let unprotected = embedsCertificate ? certificate.map { [CBORPair(.int(CoseSign1.x5chainLabel), .bytes($0.derBytes))] } ?? [] : []
        guard cose.unprotectedHeader == unprotected else {
            return "its unprotected header is not what this run writes (check --embed-cert)"
        }
        guard cose.payload == expected.payload else {
            if let item = try? CBORDecoder.decode(cose.payload), let claims = try? CWTClaims.decode(item), claims.issuer != name {
                return "it names another issuer than this run's --issuer"
            }
            return "its signed claims differ from this run's for the record (another --issuer, profile or record)"
        }
        let verified = (try? key.publicKey.verify(cose.signature, of: cose.toBeSigned(), algorithm: key.algorithm)) ?? false
        return verified ? nil : "its signature does not verify with this run's key"
    }
}

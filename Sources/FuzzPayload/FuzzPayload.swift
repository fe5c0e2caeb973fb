import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat

// libFuzzer target: the whole verification path (docs/HOSTILE.md). Built by scripts/fuzz with
// `--sanitize fuzzer --sanitize address`; a plain build only compiles it (its `main` does nothing).
//
// Every input is used twice:
// 1. as scanned text: Payload.decode (prefix, Base45, zlib, COSE), then a full Verifier run against the
//    TEST-ONLY vector keys, so mutations of the committed vectors reach the key and signature checks;
// 2. as the CWT claims bytes of a COSE_Sign1 that this harness signs with the TEST-ONLY Ed25519 vector key,
//    so the claims, content and validity policies behind the signature are reached too.
//
// Properties: no crash, no hang, bounded memory; what decodes re-encodes to the same bytes (Base45
// and the COSE_Sign1 envelope, read in preferred serialisation only); a valid verdict
// always has a verified signature, a trusted anchor, claims, and an expiry unless the profile allows none.

/// The TEST-ONLY keys of Fixtures/vectors/keys, read once (a fuzz harness runs from a checkout).
private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/vectors/keys")

private func fixture(_ name: String) -> String {
    guard let text = try? String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8) else {
        fatalError("FuzzPayload: cannot read \(fixtures.path)/\(name); run it from a qrcert checkout")
    }
    return text
}

private struct Harness {
    let signer: PrivateKey
    let verifier: Verifier
    /// 2026-03-01T09:00:00+07:00, the clock of the committed vectors.
    let time: Int64 = 1_772_330_400

    init() {
        do throws(QRCertError) {
            signer = try PrivateKey.pem(fixture("TEST-ONLY-ed25519.key.pem"), passphrase: nil)
            var store = TrustStore()
            store.add(signer.publicKey, source: "ed25519")
            for name in ["TEST-ONLY-es256.key.pem", "TEST-ONLY-es384.key.pem"] {
                store.add(try PrivateKey.pem(fixture(name), passphrase: nil).publicKey, source: name)
            }
            try store.add(fileBytes: Array(fixture("TEST-ONLY-es256.crt.pem").utf8), source: "es256.crt")
            verifier = Verifier(trust: store, profiles: try BuiltinProfiles.all())
        } catch {
            fatalError("FuzzPayload: cannot set up: \(error)")
        }
    }
}

private let harness = Harness()

/// Decoding as scanned text: the stages, then the verifier.
private func checkText(_ text: String) {
    do throws(QRCertError) {
        let payload = try Payload.decode(text)
        guard Base45.encode(payload.compressed) == payload.base45 else {
            fatalError("base45 text decodes but does not re-encode to itself")
        }
        guard payload.coseBytes.count <= Payload.Limits.standard.maxInflatedSize else {
            fatalError("inflated past the limit")
        }
        // The envelope is read in preferred serialisation only: one encoding per message.
        guard payload.cose.encoded() == payload.coseBytes else {
            fatalError("COSE_Sign1 does not re-encode to the bytes it was read from")
        }
    } catch {
        guard !error.code.isEmpty, !error.message.isEmpty else { fatalError("error without code or message: \(error)") }
    }
    checkVerdict(harness.verifier.verify(text, at: harness.time))
}

/// The bytes as signed claims: reaches everything behind the signature check.
private func checkClaims(_ claims: [UInt8]) {
    let key = harness.signer
    var message = CoseSign1(
        protectedHeader: [CBORPair(.int(CoseSign1.algLabel), .int(key.algorithm.rawValue)),
                          CBORPair(.int(CoseSign1.kidLabel), .bytes(key.publicKey.keyID))],
        payload: claims)
    do throws(QRCertError) {
        message.signature = try key.sign(message.toBeSigned())
    } catch {
        fatalError("signing failed: \(error)")
    }
    for prefix in Payload.Prefix.allCases {
        let text = Payload.encode(message, prefix: prefix)
        let verdict = harness.verifier.verify(text, at: harness.time)
        checkVerdict(verdict)
        // Past the size limit the payload is refused before anything else; otherwise the signature holds.
        if text.utf8.count <= Payload.Limits.standard.maxTextLength, !verdict.signatureVerified {
            fatalError("a payload signed with a trusted key did not verify: \(verdict.failures)")
        }
    }
}

private func checkVerdict(_ verdict: Verdict) {
    for failure in verdict.failures where failure.code.isEmpty || failure.message.isEmpty {
        fatalError("failure without code or message: \(failure)")
    }
    guard verdict.isValid else { return }
    guard verdict.signatureVerified, verdict.anchor != nil, let claims = verdict.claims else {
        fatalError("valid verdict without a verified signature and claims")
    }
    // Fail closed: no default expiry.
    if claims.expiresAt == nil, verdict.prefix != .dcc, verdict.credential?.mayHaveNoExpiry != true {
        fatalError("valid qrcert verdict without an expiry")
    }
    if verdict.prefix != .dcc, verdict.credential == nil || claims.issuer == nil {
        fatalError("valid qrcert verdict without a credential or an issuer")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    checkText(String(decoding: bytes, as: UTF8.self))
    checkClaims(bytes)
    return 0
}

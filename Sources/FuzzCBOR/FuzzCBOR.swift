import QRCertFormat

// libFuzzer target: the CBOR decoder alone (docs/HOSTILE.md). Built by scripts/fuzz with
// `--sanitize fuzzer --sanitize address`; a plain build only compiles it (its `main` does nothing).
//
// Properties, checked on every input:
// - no crash, no hang, memory bounded by the decoder's limits;
// - strict + preferred encoding decodes => the encoder writes back exactly the input (no malleability);
// - what decodes under strict options decodes under lenient ones to the same item, and the stricter
//   option sets accept a subset of the looser ones;
// - re-encoding is a fixed point: encode(decode(encode(x))) == encode(x), deterministic order included.

private let preferred = CBORDecoder.Options(requirePreferredEncoding: true)
private let loose = CBORDecoder.Options(
    maxDepth: 64, maxItems: 1_000_000, allowIndefiniteLength: true, allowDuplicateKeys: true)
private let looseCanonical = CBORDecoder.Options(
    maxDepth: 64, maxItems: 1_000_000, allowIndefiniteLength: false, allowDuplicateKeys: true,
    requirePreferredEncoding: true)

private func decoded(_ bytes: [UInt8], _ options: CBORDecoder.Options) -> CBOR? {
    do throws(QRCertError) {
        return try CBORDecoder.decode(bytes, options: options)
    } catch {
        // Every failure is a typed error of the cbor stage with a code; nothing else may escape.
        guard error.stage == .cbor, error.code.hasPrefix("CBOR_") else {
            fatalError("cbor decoder failed outside its stage: \(error)")
        }
        return nil
    }
}

private func check(_ bytes: [UInt8]) {
    let strict = decoded(bytes, .strict)
    let canonical = decoded(bytes, preferred)
    let lenient = decoded(bytes, loose)

    if let canonical {
        guard CBOREncoder.encode(canonical, deterministic: false) == bytes else {
            fatalError("preferred-encoding input does not re-encode to itself")
        }
        guard strict != nil else { fatalError("preferred options accept what strict options refuse") }
    }
    if let strict {
        guard let lenient else { fatalError("lenient options refuse what strict options accept") }
        // Compare encodings, not values: NaN != NaN.
        guard CBOREncoder.encode(strict, deterministic: false) == CBOREncoder.encode(lenient, deterministic: false) else {
            fatalError("strict and lenient decodes differ")
        }
    }
    if let lenient {
        for deterministic in [false, true] {
            let once = CBOREncoder.encode(lenient, deterministic: deterministic)
            guard let again = decoded(once, looseCanonical) else {
                fatalError("the encoder's own output (deterministic: \(deterministic)) does not decode")
            }
            guard CBOREncoder.encode(again, deterministic: deterministic) == once else {
                fatalError("re-encoding is not a fixed point (deterministic: \(deterministic))")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCBOR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

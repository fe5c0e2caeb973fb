// swift-tools-version:6.0
import PackageDescription

// Layer map (see docs/ARCHITECTURE.md):
//   C modules (one importer each) -> QRCertFormat / QRCertCrypto / QRCertImage -> QRCert -> QRCertIO -> qrcert (CLI)
let package = Package(
    name: "qrcert",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qrcert", targets: ["qrcert"]),
        .library(name: "QRCert", targets: ["QRCert"]),
        .library(name: "QRCertIO", targets: ["QRCertIO"]),
        // The verification service (docs/SERVE.md): a separate binary so the CLI links no SwiftNIO.
        .executable(name: "qrcert-serve", targets: ["qrcert-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own dependencies, named for the few types qrcert-serve uses directly (thread pool, a channel handler).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),
    ],
    targets: [
        // System C libraries. Each is imported by exactly one Swift target.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // libzbar (zbar.h from libzbar-dev), dlopen()ed at the first scan: commands that read no image start without
        // it and the D-Bus, systemd and X11 libraries it needs (docs/PERFORMANCE.md).
        .target(name: "CZBar", linkerSettings: [.linkedLibrary("dl")]),
        // cairo, pango/pangocairo and fontconfig for print output (docs/PRINT.md), dlopen()ed at the first print
        // layout: nothing of the print stack is linked, so other commands start without it (docs/PERFORMANCE.md).
        .target(name: "CCairo", linkerSettings: [.linkedLibrary("dl")]),
        // libpng and libjpeg report errors with setjmp/longjmp: that stays inside this C target.
        // PKCS#11 modules are dlopen()ed at run time; the header is Debian's p11-kit copy (nothing of p11-kit is linked).
        .target(name: "CPKCS11", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "CImageIO",
            linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg"), .linkedLibrary("z")]
        ),

        // Wire format: Base45, CBOR, zlib, COSE_Sign1, CWT, payload codec. No I/O, no clock.
        .target(name: "QRCertFormat", dependencies: ["CZlib"]),
        // Keys, signatures, key ids, X.509 anchors, PKCS#11 tokens: the only importer of libcrypto and of CPKCS11.
        .target(name: "QRCertCrypto", dependencies: ["COpenSSL", "CPKCS11", "QRCertFormat"]),
        // QR symbols, PNG/terminal rendering, QR decoding from images.
        .target(name: "QRCertImage", dependencies: ["CQRencode", "CZBar", "CImageIO", "QRCertFormat"]),
        // Print layouts at physical size (card, sheet, stamp) as PDF/SVG: the only importer of cairo and pango.
        .target(name: "QRCertPrint", dependencies: ["CCairo", "QRCertImage", "QRCertFormat"]),
        // Records, profiles, issuer, verifier and its policies, trust store.
        .target(name: "QRCert", dependencies: ["QRCertFormat", "QRCertCrypto", "QRCertImage"]),
        // Front-end support shared by the CLI and a server: trust, keys and lists loaded from files, the
        // accepted-lists state file, verdicts rendered (JSON line, text card), reason texts, images scanned from bytes;
        // for issuance the output folder (per-record files, manifest, rejects, sheet), the resumed run, print output.
        .target(name: "QRCertIO", dependencies: ["QRCert", "QRCertFormat", "QRCertCrypto", "QRCertImage", "QRCertPrint"]),
        // The command-line options both front ends (qrcert verify, qrcert-serve) take, declared once (ArgumentParser).
        .target(name: "QRCertOptions", dependencies: [
            "QRCert", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The command-line tool: argument parsing, files, terminals, rendering only.
        .executableTarget(
            name: "qrcert",
            dependencies: [
                "QRCert", "QRCertIO", "QRCertOptions", "QRCertFormat", "QRCertCrypto", "QRCertImage", "QRCertPrint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The verification service: HTTP on Hummingbird 2, TLS through HummingbirdTLS (swift-nio-ssl).
        // The page (Page/) is embedded at build time; nothing is read from disk at request time.
        .executableTarget(
            name: "qrcert-serve",
            dependencies: [
                "QRCert", "QRCertIO", "QRCertOptions", "QRCertFormat", "QRCertCrypto", "QRCertImage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Page/index.html"), .embedInCode("Page/app.js"), .embedInCode("Page/app.css"),
            ]
        ),

        // libFuzzer targets (docs/HOSTILE.md): scripts/fuzz builds each with --sanitize fuzzer --sanitize address
        // and its own scratch path; a plain build only compiles them (one file, no main: they do nothing).
        .executableTarget(name: "FuzzPayload", dependencies: ["QRCert", "QRCertFormat", "QRCertCrypto"]),
        // QRCertFormat rounds floats (libm); without Foundation nothing else links libm on Linux.
        .executableTarget(name: "FuzzCBOR", dependencies: ["QRCertFormat"],
                          linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .executableTarget(name: "FuzzRecords", dependencies: ["QRCert", "QRCertFormat"]),

        .testTarget(name: "QRCertFormatTests", dependencies: ["QRCertFormat"]),
        .testTarget(name: "QRCertCryptoTests", dependencies: ["QRCertCrypto", "QRCertFormat"]),
        .testTarget(name: "QRCertImageTests", dependencies: ["QRCertImage", "QRCertFormat"]),
        .testTarget(name: "QRCertPrintTests", dependencies: ["QRCertPrint", "QRCertImage", "QRCertFormat"]),
        .testTarget(name: "QRCertTests", dependencies: ["QRCert", "QRCertFormat", "QRCertCrypto", "QRCertImage"]),
        .testTarget(name: "QRCertIOTests", dependencies: ["QRCertIO", "QRCert", "QRCertFormat", "QRCertCrypto", "QRCertImage"]),
        .testTarget(name: "QRCertCLITests", dependencies: ["QRCert"]),
    ]
)

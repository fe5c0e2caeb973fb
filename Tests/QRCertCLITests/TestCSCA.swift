import Foundation
import XCTest

/// A national root (CSCA) and document signer certificates made with the openssl CLI, the way
/// docs/TRUST.md tells a ministry to: the external truth the signer-certificate tests check qrcert against.
///
/// Certificates start now (OpenSSL 3.0's `x509` cannot backdate), so the records these tests sign are dated
/// a little ahead (`records(in:)`): 2027 and later.
struct TestCSCA {
    let folder: URL
    /// The root's certificate (self-signed, CA:TRUE, keyCertSign).
    var certificate: String { folder.appendingPathComponent("csca.pem").path }
    var key: String { folder.appendingPathComponent("csca.key").path }

    /// A new root in `folder`.
    init(in folder: URL, name: String = "CSCA Viet Nam TEST-ONLY") throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                          "-out", certificate, "-days", "3650", "-subj", "/C=VN/O=Bo Cong an/CN=\(name)",
                          "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// A certificate named `name` for the public key in `publicKey` (PEM), signed by this root, valid `days` from now.
    ///
    /// `extensions` are openssl extension lines; the default is a document signer's. `x509 -req -force_pubkey` puts the
    /// given key in the certificate (the request is signed by a throwaway key: a token key cannot sign one here).
    func issue(_ name: String, publicKey: String, days: Int = 3650,
               extensions: String = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n") throws -> String {
        let request = folder.appendingPathComponent("\(name).csr").path, throwaway = folder.appendingPathComponent("\(name).throwaway.key").path
        let ext = folder.appendingPathComponent("\(name).ext"), out = folder.appendingPathComponent("\(name).pem").path
        try extensions.write(to: ext, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", throwaway,
                          "-subj", "/CN=placeholder", "-out", request])
        try Self.openssl(["x509", "-req", "-in", request, "-force_pubkey", publicKey, "-subj", "/C=VN/O=CSGT Da Nang/CN=\(name)",
                          "-CA", certificate, "-CAkey", key, "-days", "\(days)", "-extfile", ext.path, "-out", out])
        return out
    }

    /// The kid verifiers give a certificate: first 8 bytes of SHA-256 over its DER, computed by openssl.
    static func keyID(ofCertificate pem: String) throws -> String {
        let der = pem + ".der"
        try openssl(["x509", "-in", pem, "-outform", "DER", "-out", der])
        return String(try openssl(["dgst", "-sha256", "-r", der]).stdout.prefix(16))
    }

    /// Driving licences issued in 2027 (inside a certificate made today), the last one expiring in `lastExpiry`.
    static func records(in folder: URL, lastExpiry: String = "2032-01-05") throws -> URL {
        let url = folder.appendingPathComponent("licences-2027.csv")
        try """
        licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address
        048099000001,Trần Thị Thu,Nữ,1990-02-03,B,2027-01-05,2032-01-05,Phòng CSGT Công an TP. Đà Nẵng,VNM,"12 Lê Duẩn, Hải Châu, Đà Nẵng"
        048099000002,Lê Văn Bình,Nam,1985-07-21,C1,2027-01-06,2032-01-06,Phòng CSGT Công an TP. Đà Nẵng,VNM,"3 Bạch Đằng, Hải Châu, Đà Nẵng"
        048099000003,Phạm Minh Anh,Nữ,1999-11-30,B,2027-01-07,\(lastExpiry),Phòng CSGT Công an TP. Đà Nẵng,VNM,"88 Nguyễn Văn Linh, Thanh Khê, Đà Nẵng"

        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @discardableResult
    static func openssl(_ arguments: [String]) throws -> CLI.Result {
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openssl"] + arguments, stdin: nil).expectSuccess()
    }
}

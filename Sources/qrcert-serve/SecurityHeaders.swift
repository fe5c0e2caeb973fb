import HTTPTypes

/// The header fields every answer carries (docs/SERVE.md, the serve contract): nothing cached, no type
/// sniffing, a Content-Security-Policy that allows no inline script or style and no other origin, no referrer,
/// and the camera for this origin only.
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// The fields, as (name, value), in the order they are sent.
    static let fields: [(HTTPField.Name, String)] = [
        (.cacheControl, "no-store"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Content-Security-Policy")!, contentSecurityPolicy),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("Permissions-Policy")!, "camera=(self)"),
    ]

    /// Sets every field on `headers`, replacing what was there.
    static func apply(to headers: inout HTTPFields) {
        for (name, value) in fields { headers[name] = value }
    }
}

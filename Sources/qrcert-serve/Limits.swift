/// What one client may ask of the server (docs/SERVE.md, Hostile clients): body size, payloads per request,
/// how long a request may take to arrive, how long an idle connection stays open, how many connections at once.
struct Limits: Sendable {
    /// Largest request body, in bytes (`--max-body`): a payload, a JSON Lines batch or an image.
    var maxBody: Int
    /// Most payloads in one JSON Lines request (`--max-payloads`).
    var maxPayloads: Int
    /// Seconds a request may take from its head to its last byte (`--request-timeout`).
    var requestTimeout: Int
    /// Seconds an idle keep-alive connection stays open (`--idle-timeout`).
    var idleTimeout: Int
    /// Connections open at once (`--max-connections`); more wait in the listen queue.
    var maxConnections: Int
}

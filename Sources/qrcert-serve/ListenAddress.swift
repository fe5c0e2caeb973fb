/// `--listen HOST:PORT`: where the server binds. IPv6 hosts are bracketed (`[::1]:8080`); port 0 asks the
/// system for any free port (the bound one is printed).
struct ListenAddress: Equatable, CustomStringConvertible {
    /// The host to bind: a name, an IPv4 or an IPv6 address (without brackets).
    var host: String
    /// The port; 0 means any free port.
    var port: Int

    /// Parses `HOST:PORT` or `[IPV6]:PORT`; nil when it is neither or the port is not 0-65535.
    init?(_ text: String) {
        let hostPart: Substring, portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber),
              portPart.count <= 5, let port = Int(portPart), (0...65_535).contains(port) else { return nil }
        host = String(hostPart)
        self.port = port
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether only this computer can connect: 127.0.0.0/8, ::1 or localhost.
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") && host.split(separator: ".").count == 4
    }
}

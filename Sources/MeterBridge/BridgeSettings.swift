/// How one bridge runs: where it listens, which portal it serves, where it spools.
public struct BridgeSettings: Sendable {
    /// Unique among the bridges of one portal; the ops page shows it.
    public var name: String
    public var host: String
    public var port: Int
    /// Where the portal reaches this bridge; by default its own host and port.
    public var advertisedURL: String
    public var portalURL: String
    /// Shared with the portal (BRIDGE_SECRET): it signs every call both ways.
    public var secret: [UInt8]
    public var spoolDirectory: String
    /// How often the registered meters' keys are fetched again.
    public var keyRefresh: Duration = .seconds(30)
    /// How often the bridge reports its status to the portal.
    public var statusInterval: Duration = .seconds(5)

    public init(name: String, host: String, port: Int, portalURL: String, secret: [UInt8], spoolDirectory: String) {
        self.name = name
        self.host = host
        self.port = port
        advertisedURL = "http://\(host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host):\(port)"
        self.portalURL = portalURL
        self.secret = secret
        self.spoolDirectory = spoolDirectory
    }
}

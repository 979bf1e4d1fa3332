/// Where a miner answers: its address and the ports of its two APIs.
public struct MinerEndpoint: Sendable, Hashable, Codable {
    public var address: String
    public var rpcPort: Int
    public var webPort: Int

    public init(address: String, rpcPort: Int = 4028, webPort: Int = 80) {
        self.address = address
        self.rpcPort = rpcPort
        self.webPort = webPort
    }
}

import Testing
@testable import GridshellMiners

@Suite struct MinerEndpointTests {
    @Test func defaultPorts() {
        let e = MinerEndpoint(address: "127.0.0.2")
        #expect(e.rpcPort == 4028 && e.webPort == 80)
    }
}

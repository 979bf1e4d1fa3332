import Testing
@testable import GridshellMinerProtocol

@Suite struct CGMinerRequestTests {
    @Test func encodesCommandAndParameter() {
        let r = CGMinerRequest("summary+stats", parameter: "a\"b")
        #expect(String(decoding: r.encoded, as: UTF8.self) == "{\"command\":\"summary+stats\",\"parameter\":\"a\\\"b\"}")
        #expect(r.commands == ["summary", "stats"])
    }
}

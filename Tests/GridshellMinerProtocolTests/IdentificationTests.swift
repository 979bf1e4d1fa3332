import GridshellCore
import Testing
@testable import GridshellMinerProtocol

@Suite("Identification")
struct IdentificationTests {
    func reply(_ text: String, _ command: String) throws -> CGMinerReply {
        try CGMinerReply.parse(Array(text.utf8), command: command)
    }

    @Test func stockAntminerFromTheDigestRealmAndSystemInfo() throws {
        let probe = WebProbe(status: 401, wwwAuthenticate: #"Digest realm="antMiner Configuration", nonce="abc", qop="auth""#)
        #expect(MinerIdentifier.firmware(web: probe) == .antminerStock)
        let info = try AntminerSystemInfo.parse(Array(#"{"minertype":"Antminer S21 XP","macaddr":"30:CB:1B:49:A4:DB","hostname":"rack3-12","serinum":"JYZZF1UBDJHJE01W0","system_filesystem_version":"Tue Jun 10 11:12:11 CST 2025"}"#.utf8))
        let id = try #require(MinerIdentifier.identify(web: probe, systemInfo: info))
        #expect(id.firmware == .antminerStock)
        #expect(id.family == .stock)
        #expect(id.model == "Antminer S21 XP")
        #expect(id.make == "Bitmain")
        let identity = try #require(id.identity(systemInfo: info))
        #expect(identity == MinerIdentity(
            make: "Bitmain", model: "Antminer S21 XP", firmware: .stock, firmwareVersion: "Tue Jun 10 11:12:11 CST 2025",
            macAddress: "30:CB:1B:49:A4:DB", hostname: "rack3-12", serialNumber: "JYZZF1UBDJHJE01W0"))
        // A 200 page or another realm is not stock Antminer.
        #expect(MinerIdentifier.firmware(web: WebProbe(status: 200, wwwAuthenticate: probe.wwwAuthenticate)) == nil)
        #expect(MinerIdentifier.firmware(web: WebProbe(status: 401, wwwAuthenticate: #"Digest realm="router""#)) == nil)
    }

    @Test func modelsNormaliseToTheCatalog() {
        #expect(MinerModelName.normalised("ANTMINER S19J PRO") == "Antminer S19j Pro")
        #expect(MinerModelName.normalised("Antminer S19j Pro (LuxOS)") == "Antminer S19j Pro")
        #expect(MinerModelName.normalised("Bitmain Antminer S19XP") == "Antminer S19 XP")
        #expect(MinerModelName.normalised("S21 XP") == "Antminer S21 XP")
        #expect(MinerModelName.normalised("Antminer S9 Hiveon") == "Antminer S9")
        #expect(MinerModelName.normalised("Antminer S9\nV1.3.58") == "Antminer S9")
        #expect(MinerModelName.normalised("Antminer S9 Pro (v5.1) ") == "Antminer S9 Pro")
        // Unknown models are kept as reported, only cleaned.
        #expect(MinerModelName.normalised("Antminer S23 Hyd 3U") == "Antminer S23 Hyd 3U")
        #expect(MinerModelName.make(ofModel: "Antminer S23 Hyd 3U") == "Bitmain")
        #expect(MinerModelName.make(ofModel: "Whatsminer M60S") == "MicroBT")
        #expect(MinerModelName.make(ofModel: "Mystery 1") == nil)
    }

    @Test func luxOSFromThePageOrTheVersionReply() throws {
        let page = WebProbe(status: 200, body: "<html><title>LuxOS</title><footer>Luxor Firmware</footer></html>")
        #expect(MinerIdentifier.firmware(web: page) == .luxos)
        let version = try reply(#"{"STATUS":[{"Code":22,"Description":"LUXminer 2024.2.19.131822-ef17c0c4","Msg":"LUXminer versions","STATUS":"S"}],"VERSION":[{"API":"3.7","BMMiner":"1.0.0","LUXminer":"2024.2.19.131822-ef17c0c4","Miner":"uart_trans.1.3","Type":"Antminer S19j Pro (88)"}],"id":1}"#, "version")
        let id = try #require(MinerIdentifier.identify(rpc: JSONValue.object(version.body).encoded(), version: version))
        #expect(id.firmware == .luxos)
        #expect(id.reportedModel == "Antminer S19j Pro (88)")
        #expect(id.model == "Antminer S19j Pro")
        #expect(id.identity()?.firmware == .luxos)
        // The RPC answer alone, without the page, is enough; and the page alone too.
        #expect(MinerIdentifier.identify(version: version)?.firmware == .luxos)
        #expect(MinerIdentifier.identify(web: page)?.model == nil)
    }

    @Test func braiinsFromDevdetails() throws {
        let details = try reply(#"{"STATUS":[{"STATUS":"S","Code":69,"Msg":"Device Details","Description":"BOSer boser-buildroot 0.1.0"}],"DEVDETAILS":[{"DEVDETAILS":0,"Name":"Hashboard","ID":0,"Chips":110,"Model":"Bitmain Antminer S19XP"}],"id":1}"#, "devdetails")
        let raw = JSONValue.object(details.body).encoded()
        #expect(MinerIdentifier.firmware(rpc: raw) == .braiins)
        let id = try #require(MinerIdentifier.identify(web: WebProbe(status: 200, body: "<title>Braiins OS</title>"), rpc: raw, devdetails: details))
        #expect(id.model == "Antminer S19 XP")
        #expect(id.family == .braiins)
        #expect(MinerIdentifier.firmware(web: WebProbe(status: 200, body: "Braiins OS")) == .braiins)
    }

    @Test func rpcRulesInPyasicOrder() {
        #expect(MinerIdentifier.firmware(rpcText: #"{"VERSION":[{"BOSminer+":"0.2.0"}]}"#) == .braiins)
        #expect(MinerIdentifier.firmware(rpcText: "btminer") == .whatsminer)
        #expect(MinerIdentifier.firmware(rpcText: #"{"Type":"Antminer S9 Hiveon"}"#) == .hiveon)
        #expect(MinerIdentifier.firmware(rpcText: #"{"BMMiner":"2.0.0 rwglr","Type":"Antminer S9"}"#) == .mskminer)
        #expect(MinerIdentifier.firmware(rpcText: #"{"Type":"Antminer S19"}"#) == .antminerStock)
        // devdetails alone does not tell stock firmware apart.
        #expect(MinerIdentifier.firmware(rpcText: #"{"DEVDETAILS":[{"Model":"Antminer S19"}]}"#) == nil)
        #expect(MinerIdentifier.firmware(rpcText: "AvalonMiner 1246") == .avalon)
        #expect(MinerIdentifier.firmware(rpcText: "cgminer 4.11") == nil)
        #expect(MinerIdentifier.identify() == nil)
    }

    @Test func hiveonCopiesTheStockPagesButNamesItself() throws {
        let version = try reply(#"{"STATUS":[{"STATUS":"S","Code":22}],"VERSION":[{"BMMiner":"2.0.0","Type":"Antminer S9 Hiveon"}],"id":1}"#, "version")
        let probe = WebProbe(status: 401, wwwAuthenticate: #"Digest realm="antMiner Configuration", nonce="x""#)
        let id = try #require(MinerIdentifier.identify(web: probe, version: version))
        #expect(id.firmware == .hiveon)
        #expect(id.model == "Antminer S9")
        #expect(id.family == nil)
        #expect(id.identity() == nil, "Gridshell does not control Hiveon")
    }

    /// The Foreman captures' version replies name their firmware the way pyasic would.
    @Test func foremanVersionReplies() throws {
        let expected: [String: (DetectedFirmware, String?)] = [
            "Antminer S19 (really cold)": (.antminerStock, "Antminer S19 Pro"),
            "Antminer S9 (bOS+)": (.braiins, nil),
            "Antminer S9 (Hiveon)": (.hiveon, "Antminer S9"),
            "Antminer S9 (mskminer)": (.mskminer, "Antminer S9 Pro"),
            "Antminer S9 (NiceHash)": (.antminerStock, "Antminer S9"),
            "Antminer S9k": (.antminerStock, "Antminer S9k"),
            "Antminer T17+ (sleeping)": (.antminerStock, "Antminer T17+"),
        ]
        for (name, (firmware, model)) in expected {
            let bytes = try #require(ForemanCases.named(name).replies.first { $0.command == "version" }?.bytes)
            let version = try CGMinerReply.parse(bytes, command: "version")
            let id = try #require(MinerIdentifier.identify(rpc: bytes, version: version), "\(name)")
            #expect(id.firmware == firmware, "\(name)")
            #expect(id.model == model, "\(name)")
        }
    }
}

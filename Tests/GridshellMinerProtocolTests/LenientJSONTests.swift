import Testing
@testable import GridshellMinerProtocol

@Suite("Lenient JSON")
struct LenientJSONTests {
    func parse(_ text: String) throws -> JSONValue { try LenientJSON.parse(text) }

    func error(_ text: String) -> LenientJSONError? {
        do {
            _ = try LenientJSON.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsStandardJSON() throws {
        let v = try parse(#"{"a":[1,2.5,-3e2,true,false,null,"x\"y\\z\u00e9\n"],"b":{}}"#)
        #expect(v["a"]?[0] == .number(1))
        #expect(v["a"]?[1] == .number(2.5))
        #expect(v["a"]?[2] == .number(-300))
        #expect(v["a"]?[3] == .bool(true))
        #expect(v["a"]?[5] == .null)
        #expect(v["a"]?[6] == .string("x\"y\\z\u{e9}\n"))
        #expect(v["b"] == .object(JSONObject()))
        #expect(v.object?.keys == ["a", "b"])
    }

    @Test func missingCommaBetweenObjectsAndArrays() throws {
        let v = try parse(#"{"STATS":[{"Type":"Antminer L3+"}{"STATS":0,"GHS 5s":"504.56"}],"x":[[1][2]],"id":1}"#)
        #expect(v["STATS"]?.array?.count == 2)
        #expect(v["STATS"]?[1]?["GHS 5s"]?.double == 504.56)
        #expect(v["x"] == [[1], [2]])
        #expect(v["id"]?.int == 1)
        // A member without the comma before it.
        #expect(try parse(#"{"a":1 "b":2}"#) == ["a": 1, "b": 2])
    }

    @Test func extraCommas() throws {
        #expect(try parse("[1,2,]") == [1, 2])
        #expect(try parse(#"{"a":1,}"#) == ["a": 1])
        #expect(try parse("[,{},,{},]") == [[:], [:]])
        #expect(try parse(#"{,"a":1,,"b":2}"#) == ["a": 1, "b": 2])
        #expect(try parse("[,]") == [])
    }

    @Test func nonFiniteNumbers() throws {
        let v = try parse("[inf,-inf,nan,NaN,Infinity,-Infinity,+inf]")
        let d = v.array!.map { $0.double! }
        #expect(d[0] == .infinity && d[1] == -.infinity && d[2].isNaN && d[3].isNaN)
        #expect(d[4] == .infinity && d[5] == -.infinity && d[6] == .infinity)
    }

    @Test func lenientNumberSpellings() throws {
        #expect(try parse("[+1,007,-0.5,1E3,1e-2]") == [1, 7, -0.5, 1000, 0.01])
        #expect(try parse("123456789012345678901234").double == 1.2345678901234568e23)
    }

    @Test func trailingNulAndStrayBytes() throws {
        var bytes = Array(#"{"a":1}"#.utf8)
        bytes.append(0)
        #expect(try LenientJSON.parse(bytes) == ["a": 1])
        let doc = try LenientJSON.parseDocument(Array(#"{"id":1}"}"#.utf8))
        #expect(doc.value == ["id": 1])
        #expect(doc.end == 8)
        #expect(doc.hasTrailingContent)
        #expect(try LenientJSON.parseDocument(Array("[1] \0\n".utf8)).hasTrailingContent == false)
        // A byte-order mark and leading NULs.
        #expect(try LenientJSON.parse([0xEF, 0xBB, 0xBF, 0, 0x20] + Array("[2]".utf8)) == [2])
    }

    @Test func controlCharactersAndBadUTF8InStrings() throws {
        let raw: [UInt8] = Array(#"{"t":"Antminer S9"#.utf8) + [0x0A] + Array("V1.3.58\t".utf8) + [0x01, 0xFF] + Array(#""}"#.utf8)
        let v = try LenientJSON.parse(raw)
        #expect(v["t"]?.stringValue == "Antminer S9\nV1.3.58\t\u{01}\u{FFFD}")
    }

    @Test func escapes() throws {
        #expect(try parse(#""\u00e9\ud83d\ude00\/\'\q""#) == .string("\u{e9}\u{1F600}/'q"))
        // A lone surrogate reads as the replacement character.
        #expect(try parse(#""\ud83d x""#) == .string("\u{FFFD} x"))
        #expect(try parse(#""\udc00""#) == .string("\u{FFFD}"))
    }

    @Test func duplicateKeysLastWins() throws {
        let v = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v["a"] == .number(3))
        #expect(v.object?.keys == ["a", "b"])
    }

    /// Large objects are indexed, small ones scanned: both keep order, first position and last
    /// value, and stay so as members are added and removed across the size where the index starts.
    @Test func largeAndSmallObjectsBehaveAlike() throws {
        for size in [3, JSONObject.indexedAbove, JSONObject.indexedAbove + 1, 40] {
            var text = "{" + (0..<size).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
            text += #","k0":"again","K1":"case"}"#
            let o = try #require(try parse(text).object)
            #expect(o.keys == (0..<size).map { "k\($0)" } + ["K1"])
            #expect(o["k0"] == .string("again") && o["k\(size - 1)"] == .number(Double(size - 1)))
            #expect(o.value(forKeyIgnoringCase: "K0") == .string("again") && o.value(forKeyIgnoringCase: "k1") == .number(1))
            #expect(o["nope"] == nil && o.value(forKeyIgnoringCase: "NOPE") == nil)
            var m = o
            for i in 0..<size { m["k\(i)"] = nil }
            #expect(m.keys == ["K1"] && m["K1"] == .string("case") && m["k2"] == nil)
            for i in 0..<(size + 2) { m["n\(i)"] = .number(Double(i)) }
            m["n0"] = "first"
            #expect(m.keys == ["K1"] + (0..<(size + 2)).map { "n\($0)" })
            #expect(m["n0"] == .string("first") && m["n\(size + 1)"] == .number(Double(size + 1)))
            #expect(Array(m.map(\.key)) == m.keys)
            #expect(m != o && JSONObject(Array(o.map { ($0.key, $0.value) })) == o)
        }
    }

    @Test func wordsInAnyCase() throws {
        #expect(try parse("[True,FALSE,Null,None]") == [true, false, nil, nil])
    }

    @Test func errorsNameTheProblemAndTheOffset() throws {
        let truncated = try #require(error(#"{"STATUS":[{"STATUS":"S","Wh"#))
        #expect(truncated.offset == 28)
        #expect(truncated.description.contains("offset 28"))
        #expect(truncated.description.contains("truncated"))

        let badByte = try #require(error(#"{"a":1;"b":2}"#))
        #expect(badByte.reason == .unexpectedByte(UInt8(ascii: ";"), expected: "',' or '}'"))
        #expect(badByte.offset == 6)
        #expect(badByte.description == "unexpected ';' (0x3B) at offset 6, expected ',' or '}'")

        #expect(error("")?.reason == .empty)
        #expect(error(" \0 ")?.reason == .empty)
        #expect(error("[1e]")?.reason == .invalidNumber("1e"))
        #expect(error("[1e]")?.offset == 1)
        #expect(error("[truth]")?.reason == .unknownWord("truth"))
        #expect(error(#"{"a" 1}"#)?.reason == .unexpectedByte(UInt8(ascii: "1"), expected: "':' after a key"))
        #expect(error(#""\u12G4""#)?.reason == .invalidEscape("\\u12G4"))
        #expect(error("[1}")?.reason == .unexpectedByte(UInt8(ascii: "}"), expected: "',' or ']'"))
        #expect(error("{1:2}")?.reason == .unexpectedByte(UInt8(ascii: "1"), expected: "a key or '}'"))
        #expect(error("\u{7}")?.reason == .unexpectedByte(7, expected: "a value"))
        #expect(error(#""abc"#)?.description == "reply ends at offset 4 where the closing '\"' of the string opened at offset 0 was expected (truncated?)")
    }

    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 100_000)
        let e = try #require(error(deep))
        #expect(e.reason == .tooDeep(limit: LenientJSON.defaultMaxDepth))
        #expect(e.offset == LenientJSON.defaultMaxDepth)
        #expect(e.description.contains("deeper than 256"))
        // Exactly at the limit is fine.
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try parse(ok).array?.count == 1)
        #expect((try? LenientJSON.parse("[[[1]]]", maxDepth: 2)) == nil)
    }

    @Test func lenientAccessors() throws {
        let v = try parse(#"{"GHS 5s":"13883.81","GHS av":16868.38,"p":"1,899.35","c":"12,5","d":" 69.2461","k":"32.8K","cp":"967.50 (AB)","e":"","b":"Y","n":152,"f":"1600M","bad":"12abc"}"#)
        #expect(v["GHS 5s"]?.double == 13883.81)
        #expect(v["GHS av"]?.double == 16868.38)
        #expect(v["p"]?.double == 1899.35)
        #expect(v["c"]?.double == 12.5)
        #expect(v["d"]?.double == 69.2461)
        #expect(v["k"]?.double == nil)
        #expect(v["k"]?.siDouble == 32800)
        #expect(v["cp"]?.double == nil)
        #expect(v["cp"]?.leadingDouble == 967.5)
        #expect(v["f"]?.leadingDouble == 1600)
        #expect(v["e"]?.double == nil)
        #expect(v["bad"]?.double == nil)
        #expect(v["b"]?.bool == true)
        #expect(v["n"]?.string == "152")
        #expect(v["n"]?.int == 152)
        #expect(v["ghs 5S"]?.double == 13883.81, "keys also match ignoring case")
        #expect(JSONValue.string("inf").double == .infinity)
        #expect(JSONValue.number(.nan).int == nil)
        #expect(JSONValue.string("1,234,567").double == 1_234_567)
        #expect(JSONValue.string("1,23,4").double == nil)
    }

    @Test func encodingRoundTrips() throws {
        let v: JSONValue = ["pools": [["url": "stratum+tcp://a:3333", "user": "w\"1\n", "pass": "x"]], "miner-mode": 1, "f": 2.5, "z": nil, "t": true]
        let text = v.jsonText()
        #expect(text == #"{"pools":[{"url":"stratum+tcp://a:3333","user":"w\"1\n","pass":"x"}],"miner-mode":1,"f":2.5,"z":null,"t":true}"#)
        #expect(try LenientJSON.parse(v.encoded()) == v)
        #expect(JSONValue.array([.number(.infinity), .number(.nan)]).jsonText() == "[null,null]")
        #expect(JSONValue.array([.number(-.infinity), .number(.nan)]).jsonText(nonFinite: .bare) == "[-inf,nan]")
        #expect(JSONValue.string("\u{1}").jsonText() == #""\u0001""#)
    }
}

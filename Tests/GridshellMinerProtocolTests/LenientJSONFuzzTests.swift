import PropertyBased
import Testing
@testable import GridshellMinerProtocol

/// Attacks the reader with random, mutated, truncated, huge and deep input: it must return a
/// value or a located error, never crash or hang.
@Suite("Lenient JSON fuzzing")
struct LenientJSONFuzzTests {
    /// Reads and checks the one invariant every input must keep: success, or an error whose offset
    /// lies inside the input and whose message is not empty.
    @discardableResult
    static func readOrLocate(_ bytes: [UInt8], maxDepth: Int = LenientJSON.defaultMaxDepth) -> JSONValue? {
        do {
            let doc = try LenientJSON.parseDocument(bytes, maxDepth: maxDepth)
            #expect(doc.end <= bytes.count)
            return doc.value
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error) for \(bytes.count) bytes")
            #expect(!error.description.isEmpty)
            return nil
        }
    }

    static let tokens: [String] = [
        "{", "}", "[", "]", ",", ":", "\"", "\"STATUS\"", "\"GHS 5s\"", "\"a\"", "1", "-", "2.5", "1e9", "e", ".",
        "inf", "-inf", "nan", "true", "false", "null", "\\", "\\u00", "\\ud83d", " ", "\n", "\0", "}{", "][", ",,",
        "\"x\":", "\"y\":[", "{\"z\":", "\u{FF}", "é", "\u{1}",
    ]

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...300)) { bytes in
            Self.readOrLocate(bytes)
        }
    }

    @Test func tokenSoupNeverCrashes() async {
        let gen = Gen<String?>.element(of: Self.tokens).map { $0! }.array(of: 0...120).map { $0.joined() }
        await propertyCheck(count: 2000, input: gen) { text in
            Self.readOrLocate(Array(text.utf8))
        }
    }

    @Test func generatedValuesRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let value = Self.randomValue(&rng, depth: 0)
            let parsed = try LenientJSON.parse(value.encoded(nonFinite: .bare))
            #expect(parsed == value)
        }
    }

    /// What firmware does to JSON (no commas between objects, trailing commas, a NUL and junk at
    /// the end) does not change the value read.
    @Test(arguments: 0..<300)
    func firmwareQuirksDoNotChangeTheValue(seed: Int) throws {
        var rng = SeededRandom(seed: UInt64(seed))
        let value = Self.randomValue(&rng, depth: 0)
        var quirky = Self.quirkyText(value, &rng)
        quirky += Bool.random(using: &rng) ? "\0" : "\0\"}garbage"
        #expect(try LenientJSON.parse(Array(quirky.utf8)) == value, "\(quirky)")
    }

    /// Every prefix of a real reply is either a located error or (for the whole text) the value.
    @Test func everyTruncationOfARealReplyIsALocatedError() throws {
        let reply = Array(Self.s9Stats.utf8)
        let whole = try LenientJSON.parse(reply)
        for length in 0..<reply.count {
            let prefix = Array(reply[0..<length])
            do {
                _ = try LenientJSON.parse(prefix)
                Issue.record("a prefix of \(length) bytes parsed")
            } catch {
                #expect(error.offset <= length)
                switch error.reason {
                case .empty, .unexpectedEnd, .unknownWord, .invalidNumber: break
                default: Issue.record("prefix \(length): \(error)")
                }
            }
        }
        #expect(whole["STATS"]?.array?.count == 2)
    }

    /// Real replies with random bytes inserted, deleted or replaced.
    @Test(arguments: 0..<400)
    func mutatedRealRepliesNeverCrash(seed: Int) {
        var rng = SeededRandom(seed: UInt64(seed) &* 7919)
        var bytes = Array(Self.s9Stats.utf8)
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            let i = Int.random(in: 0..<max(1, bytes.count), using: &rng)
            let b = UInt8.random(in: 0...255, using: &rng)
            switch Int.random(in: 0...2, using: &rng) {
            case 0 where !bytes.isEmpty: bytes.remove(at: i)
            case 1: bytes.insert(b, at: min(i, bytes.count))
            default: if !bytes.isEmpty { bytes[i] = b }
            }
        }
        Self.readOrLocate(bytes)
    }

    @Test func deepNestingFailsQuicklyWithAClearError() throws {
        for opener in ["[", "{\"a\":", "[{\"b\":"] {
            let text = Array(String(repeating: opener, count: 200_000).utf8)
            do {
                _ = try LenientJSON.parse(text)
                Issue.record("\(opener) nesting parsed")
            } catch {
                #expect(error.reason == .tooDeep(limit: 256))
            }
        }
        // A custom bound.
        #expect(throws: LenientJSONError.self) { try LenientJSON.parse(Array("[[[[[]]]]]".utf8), maxDepth: 4) }
        #expect(try LenientJSON.parse(Array("[[[[]]]]".utf8), maxDepth: 4) == [[[[]]]])
    }

    /// A reply of more than 10 MB: 40,000 chain objects, plus a 2 MB string.
    @Test func tenMegabyteReplyParses() throws {
        var text = #"{"STATUS":[{"STATUS":"S","Code":70}],"STATS":["#
        for i in 0..<40_000 {
            if i > 0 { text += i % 2 == 0 ? "," : "" }  // every other comma missing, as bmminer does
            text += #"{"index":\#(i),"rate_real":\#(Double(i) * 0.5),"asic_num":114,"temp_pcb":[41,42,56,57],"temp_chip":[56,57,71,72],"sn":"JYZZYRRBDJHJE023P","x":"\#(String(repeating: "o", count: 150))"}"#
        }
        text += #"],"blob":""# + String(repeating: "x", count: 2_000_000) + #"","id":1}"# + "\0"
        let bytes = Array(text.utf8)
        #expect(bytes.count > 10_000_000)
        let v = try LenientJSON.parse(bytes)
        #expect(v["STATS"]?.array?.count == 40_000)
        #expect(v["STATS"]?[39_999]?["rate_real"]?.double == 19_999.5)
        #expect(v["blob"]?.stringValue?.utf8.count == 2_000_000)
        // Truncated in the middle of that reply: a located error.
        do {
            _ = try LenientJSON.parse(bytes[0..<5_000_000])
            Issue.record("truncated reply parsed")
        } catch {
            #expect(error.offset == 5_000_000 || error.offset < 5_000_000)
        }
    }

    // MARK: generators

    static func randomValue(_ rng: inout SeededRandom, depth: Int) -> JSONValue {
        let pick = Int.random(in: 0..<(depth > 4 ? 5 : 8), using: &rng)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
            case 1: return .number(.infinity)
            case 2: return .number(-.infinity)
            case 3: return .number(.nan)
            default: return .number(Double.random(in: -1e12...1e12, using: &rng))
            }
        case 3, 4:
            let scalars = (0..<Int.random(in: 0...12, using: &rng)).map { _ -> Character in
                let options: [Character] = ["a", "Z", " ", "\"", "\\", "\n", "\t", "\u{1}", "é", "😀", "{", ",", "/"]
                return options.randomElement(using: &rng)!
            }
            return .string(String(scalars))
        case 5, 6:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                o["k\(Int.random(in: 0...9, using: &rng))"] = randomValue(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    /// The value written the way sloppy firmware writes it.
    static func quirkyText(_ value: JSONValue, _ rng: inout SeededRandom) -> String {
        switch value {
        case .array(let items):
            var s = "["
            for (i, item) in items.enumerated() {
                let text = quirkyText(item, &rng)
                // Drop the comma before objects and arrays half the time, as bmminer does.
                if i > 0 {
                    let startsContainer = text.first == "{" || text.first == "["
                    let prevEndsContainer = s.last == "}" || s.last == "]"
                    if !(startsContainer && prevEndsContainer && Bool.random(using: &rng)) { s += "," }
                }
                s += text
            }
            if !items.isEmpty && Bool.random(using: &rng) { s += "," }
            return s + "]"
        case .object(let o):
            var s = "{"
            var first = true
            for (k, v) in o {
                if !first { s += Bool.random(using: &rng) ? ",," : "," }
                first = false
                s += JSONValue.string(k).jsonText() + ":" + quirkyText(v, &rng)
            }
            if !o.isEmpty && Bool.random(using: &rng) { s += "," }
            return s + "}"
        case .number(let d) where !d.isFinite:
            return d.isNaN ? ["nan", "NaN"].randomElement(using: &rng)! : (d < 0 ? "-inf" : ["inf", "Infinity"].randomElement(using: &rng)!)
        default:
            return value.jsonText()
        }
    }

    /// The S9 Hiveon stats reply from the Foreman fixtures: `}{` between STATS objects.
    static let s9Stats = #"{"STATUS":[{"STATUS":"S","When":1605578750,"Code":70,"Msg":"BMMiner stats","Description":"bmminer 1.0.0"}],"STATS":[{"BMMiner":"2.0.0","Miner":"30.0.1.3","CompileTime":"Wed Jul 31 16:18:27 CST 2019","Type":"Antminer S9\nV1.3.58"}{"STATS":0,"ID":"BC50","Elapsed":293628,"GHS 5s":"13883.81","GHS av":13890.36,"miner_count":3,"frequency":645,"fan_num":2,"fan5":3720,"fan6":2400,"temp6":75,"temp7":0,"temp8":73,"temp2_6":62,"temp2_7":-83,"temp2_8":62,"Device Hardware%":0.0184,"chain_acn6":63,"chain_acs6":" oooooooo oooooooo","chain_rate6":"4618.85","chain_xtime6":"{X0=58,X1=59}"}],"id":1}"#
}

import Foundation
import GridshellServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP API: strategic planner")
struct StrategyAPITests {
    @Test("a viewer gets the planner's JSON for the served site; overrides apply; bad ones are 422 naming the field")
    func strategy() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let body = #"{"years": 5, "paths": ["lease", "mine"], "simulations": 200, "seed": 3}"#
            let r = try await client.execute(uri: "/api/v1/strategy", method: .post, headers: h.headers(.viewer), body: ByteBuffer(string: body))
            #expect(r.status == .ok)
            let plan = try json(r.body)
            #expect(plan["years"] as? Int == 5)
            #expect(plan["simulations"] as? Int == 200)
            let paths = try #require(plan["paths"] as? [[String: Any]])
            #expect(paths.map { $0["path"] as? String } == ["lease", "mine"])
            #expect((paths[0]["yearly"] as? [Any])?.count == 5)
            let recommended = (plan["recommendation"] as? [String: Any])?["path"] as? String
            #expect(["lease", "mine"].contains(recommended ?? ""))

            let again = try await client.execute(uri: "/api/v1/strategy", method: .post, headers: h.headers(.viewer), body: ByteBuffer(string: body))
            #expect(NSDictionary(dictionary: try json(again.body)).object(forKey: "paths") as? NSArray == NSArray(array: paths))

            let moon = try await client.execute(uri: "/api/v1/strategy", method: .post, headers: h.headers(.viewer), body: ByteBuffer(string: #"{"paths": ["moon"]}"#))
            #expect(moon.status == .unprocessableContent)
            #expect(((try json(moon.body)["error"] as? [String: Any])?["message"] as? String)?.contains("moon") == true)
            let many = try await client.execute(uri: "/api/v1/strategy", method: .post, headers: h.headers(.viewer), body: ByteBuffer(string: #"{"simulations": 1000000}"#))
            #expect(many.status == .unprocessableContent)
            let anonymous = try await client.execute(uri: "/api/v1/strategy", method: .post, headers: h.headers(nil), body: ByteBuffer(string: "{}"))
            #expect(anonymous.status == .unauthorized)
        }
    }
}

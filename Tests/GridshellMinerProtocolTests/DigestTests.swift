import PropertyBased
import Testing
@testable import GridshellMinerProtocol

@Suite("HTTP Digest authentication")
struct DigestTests {
    /// RFC 2617 §3.5: the worked example.
    static let rfc2617Challenge =
        #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#

    @Test func parsesTheRFC2617Challenge() throws {
        let c = try DigestChallenge.parse(Self.rfc2617Challenge)
        #expect(c.realm == "testrealm@host.com")
        #expect(c.nonce == "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        #expect(c.qop == ["auth", "auth-int"])
        #expect(c.opaque == "5ccc069c403ebaf9f0171e9517f40e41")
        #expect(c.algorithm == .md5)
        #expect(!c.stale)
    }

    @Test func answersTheRFC2617Example() throws {
        let c = try DigestChallenge.parse(Self.rfc2617Challenge)
        let a = try DigestAuthorization(
            answering: c, username: "Mufasa", password: "Circle Of Life", method: "GET", uri: "/dir/index.html",
            nonceCount: 1, clientNonce: "0a4f113b")
        #expect(a.response == "6629fae49393a05397450978507c4ef1")
        #expect(a.qop == "auth")
        #expect(a.nonceCountText == "00000001")
        #expect(a.headerValue == #"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b""#)
        // The header as the RFC prints it reads back to the same credentials.
        let rfcHeader = #"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        #expect(try DigestAuthorization.parse(rfcHeader) == a)
    }

    /// RFC 7616 §3.9.1: the same request with MD5 and with SHA-256.
    @Test func answersTheRFC7616Examples() throws {
        for (algorithm, expected) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ] {
            let header = #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=\#(algorithm), nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
            let c = try DigestChallenge.parse(header)
            #expect(c.algorithm.rawValue == algorithm)
            let a = try DigestAuthorization(
                answering: c, username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html",
                clientNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
            #expect(a.response == expected)
            #expect(a.headerValue.contains("algorithm=\(algorithm)"))
        }
    }

    @Test func withoutQopUsesTheRFC2069Form() throws {
        let c = try DigestChallenge.parse(#"Digest realm="antMiner Configuration", nonce="abc""#)
        #expect(c.qop.isEmpty)
        let a = try DigestAuthorization(answering: c, username: "root", password: "root", method: "GET", uri: "/cgi-bin/get_system_info.cgi")
        // H(H(root:antMiner Configuration:root):abc:H(GET:/cgi-bin/get_system_info.cgi))
        #expect(a.response == "393bf67e795f3e3a23d1ccffde21f0f6")
        #expect(a.qop == nil && a.nonceCount == nil && a.clientNonce == nil)
        #expect(!a.headerValue.contains("nc="))
        let server = DigestServer(offersQop: false)
        #expect(try server.verify(authorization: a.headerValue, method: "GET", requestURI: "/cgi-bin/get_system_info.cgi", password: { $0 == "root" ? "root" : nil }) == "root")
    }

    @Test func findsDigestAmongSeveralChallenges() throws {
        let c = try DigestChallenge.parse(#"Basic realm="x", Digest realm="antMiner Configuration", nonce="n1", qop="auth", stale=TRUE"#)
        #expect(c.realm == "antMiner Configuration")
        #expect(c.stale)
        #expect(throws: DigestError.notDigest(scheme: "Basic")) { try DigestChallenge.parse(#"Basic realm="x""#) }
        #expect(throws: DigestError.missingParameter("nonce")) { try DigestChallenge.parse(#"Digest realm="x""#) }
        #expect(throws: DigestError.unsupportedAlgorithm("SHA-512")) { try DigestChallenge.parse(#"Digest realm="x", nonce="y", algorithm=SHA-512"#) }
        let onlyIntegrity = try DigestChallenge.parse(#"Digest realm="x", nonce="y", qop="auth-int""#)
        #expect(throws: DigestError.unsupportedQop("auth-int")) {
            try DigestAuthorization(answering: onlyIntegrity, username: "u", password: "p", method: "GET", uri: "/")
        }
        // Quoted values may hold commas and escaped quotes.
        let q = try DigestChallenge.parse(#"Digest realm="a \"b\", c", nonce="n""#)
        #expect(q.realm == #"a "b", c"#)
    }

    @Test func serverAcceptsItsOwnClientsAndRejectsTheRest() throws {
        let server = DigestServer()
        let challenge = server.challenge(nonce: "server-nonce-1", opaque: "op")
        #expect(challenge.headerValue == #"Digest realm="antMiner Configuration", qop="auth", nonce="server-nonce-1", opaque="op""#)
        let parsed = try DigestChallenge.parse(challenge.headerValue)
        #expect(parsed == challenge)
        let users = { (name: String) -> String? in name == "root" ? "root" : nil }
        let nonces = { (n: String) in n == "server-nonce-1" }
        let uri = "/cgi-bin/set_miner_conf.cgi"
        let good = try DigestAuthorization(answering: parsed, username: "root", password: "root", method: "POST", uri: uri, nonceCount: 3)
        #expect(try server.verify(authorization: good.headerValue, method: "POST", requestURI: uri, password: users, isValidNonce: nonces) == "root")

        let wrong = try DigestAuthorization(answering: parsed, username: "root", password: "admin", method: "POST", uri: uri)
        #expect(throws: DigestError.wrongResponse(user: "root")) {
            try server.verify(authorization: wrong.headerValue, method: "POST", requestURI: uri, password: users, isValidNonce: nonces)
        }
        #expect(DigestError.wrongResponse(user: "root").description == "wrong password or response for user 'root'")
        // The same credentials for another method or page, a stranger, a foreign nonce or realm.
        #expect(throws: DigestError.wrongResponse(user: "root")) {
            try server.verify(authorization: good.headerValue, method: "GET", requestURI: uri, password: users, isValidNonce: nonces)
        }
        #expect(throws: DigestError.uriMismatch(uri)) {
            try server.verify(authorization: good.headerValue, method: "POST", requestURI: "/cgi-bin/reboot.cgi", password: users, isValidNonce: nonces)
        }
        let stranger = try DigestAuthorization(answering: parsed, username: "admin", password: "root", method: "POST", uri: uri)
        #expect(throws: DigestError.unknownUser("admin")) {
            try server.verify(authorization: stranger.headerValue, method: "POST", requestURI: uri, password: users, isValidNonce: nonces)
        }
        let old = try DigestAuthorization(answering: server.challenge(nonce: "old"), username: "root", password: "root", method: "POST", uri: uri)
        #expect(throws: DigestError.staleNonce) {
            try server.verify(authorization: old.headerValue, method: "POST", requestURI: uri, password: users, isValidNonce: nonces)
        }
        let other = try DigestAuthorization(answering: DigestChallenge(realm: "elsewhere", nonce: "server-nonce-1"), username: "root", password: "root", method: "POST", uri: uri)
        #expect(throws: DigestError.realmMismatch("elsewhere")) {
            try server.verify(authorization: other.headerValue, method: "POST", requestURI: uri, password: users, isValidNonce: nonces)
        }
        #expect(throws: DigestError.notDigest(scheme: "Basic")) {
            try server.verify(authorization: "Basic cm9vdDpyb290", method: "GET", requestURI: uri, password: users)
        }
        #expect(throws: DigestError.missingParameter("cnonce")) {
            try DigestAuthorization.parse(#"Digest username="root", realm="r", nonce="n", uri="/", response="00", qop=auth, nc=00000001"#)
        }
        #expect(throws: DigestError.malformed("nc 'zz' is not hexadecimal")) {
            try DigestAuthorization.parse(#"Digest username="root", realm="r", nonce="n", uri="/", response="00", qop=auth, nc=zz, cnonce="c""#)
        }
    }

    /// Any user, password, method and path: what the client computes, the server accepts, and a
    /// one-character change in the password is refused.
    @Test func clientAndServerAgree() async {
        let text = Gen.letterOrNumber.string(of: 1...12)
        let input = PropertyBased.zip(text, text, Gen<String?>.element(of: ["GET", "POST"]).map { $0! }, text, Gen.bool)
        await propertyCheck(count: 200, input: input) { user, password, method, path, sha in
            let server = DigestServer(algorithm: sha ? .sha256 : .md5)
            let challenge = try DigestChallenge.parse(server.challenge().headerValue)
            let uri = "/cgi-bin/" + path
            let auth = try DigestAuthorization(answering: challenge, username: user, password: password, method: method, uri: uri)
            #expect(try server.verify(authorization: auth.headerValue, method: method, requestURI: uri, password: { $0 == user ? password : nil }) == user)
            #expect(throws: DigestError.wrongResponse(user: user)) {
                try server.verify(authorization: auth.headerValue, method: method, requestURI: uri, password: { _ in password + "x" })
            }
        }
    }

    @Test func randomNoncesDiffer() {
        let a = DigestChallenge.randomNonce(), b = DigestChallenge.randomNonce()
        #expect(a.count == 32 && b.count == 32 && a != b)
    }

    /// Garbage headers never crash the parsers.
    @Test func garbageHeadersAreRefusedCleanly() async {
        await propertyCheck(count: 500, input: Gen.ascii.string(of: 0...80)) { text in
            _ = try? DigestChallenge.parse("Digest " + text)
            _ = try? DigestAuthorization.parse("Digest " + text)
            _ = try? DigestChallenge.parse(text)
        }
    }
}

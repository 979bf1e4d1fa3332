import Crypto
import Foundation

/// HTTP Digest authentication (RFC 7616 with MD5, as Antminer web interfaces use it), both the
/// client's `Authorization` header and the server's check.
public enum DigestAuth {
    /// A server's `WWW-Authenticate: Digest ...` challenge.
    public struct Challenge: Sendable, Equatable {
        public var realm: String
        public var nonce: String
        public var qop: String?
        public var opaque: String?
        public var algorithm: String?

        public init(realm: String, nonce: String, qop: String? = "auth", opaque: String? = nil, algorithm: String? = "MD5") {
            self.realm = realm
            self.nonce = nonce
            self.qop = qop
            self.opaque = opaque
            self.algorithm = algorithm
        }

        /// Reads a `WWW-Authenticate` value; nil unless it is a Digest challenge with realm and nonce.
        public init?(header: String) {
            let f = DigestAuth.fields(header)
            guard let realm = f["realm"], let nonce = f["nonce"] else { return nil }
            self.realm = realm
            self.nonce = nonce
            // "auth,auth-int" offers both: take auth.
            self.qop = f["qop"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains("auth") ? "auth" : $0 }
            self.opaque = f["opaque"]
            self.algorithm = f["algorithm"]
        }

        public var header: String {
            var s = "Digest realm=\"\(realm)\", nonce=\"\(nonce)\""
            if let qop { s += ", qop=\"\(qop)\"" }
            if let opaque { s += ", opaque=\"\(opaque)\"" }
            if let algorithm { s += ", algorithm=\(algorithm)" }
            return s
        }
    }

    public static func md5Hex(_ s: String) -> String {
        Insecure.MD5.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The digest response: MD5(HA1:nonce[:nc:cnonce:qop]:HA2).
    public static func response(
        user: String, password: String, realm: String, method: String, uri: String, nonce: String,
        qop: String?, nc: String?, cnonce: String?
    ) -> String {
        let ha1 = md5Hex("\(user):\(realm):\(password)")
        let ha2 = md5Hex("\(method):\(uri)")
        if let qop, let nc, let cnonce { return md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)") }
        return md5Hex("\(ha1):\(nonce):\(ha2)")
    }

    /// The `Authorization` header for a request; `count` is the nonce count (1 for the first use).
    public static func authorization(
        _ challenge: Challenge, user: String, password: String, method: String, uri: String, count: Int = 1,
        cnonce: String = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    ) -> String {
        let nc = String(format: "%08x", count)
        let qop = challenge.qop
        let r = response(
            user: user, password: password, realm: challenge.realm, method: method, uri: uri, nonce: challenge.nonce,
            qop: qop, nc: qop == nil ? nil : nc, cnonce: qop == nil ? nil : cnonce)
        var s = "Digest username=\"\(user)\", realm=\"\(challenge.realm)\", nonce=\"\(challenge.nonce)\", uri=\"\(uri)\", response=\"\(r)\""
        if let qop { s += ", qop=\(qop), nc=\(nc), cnonce=\"\(cnonce)\"" }
        if let opaque = challenge.opaque { s += ", opaque=\"\(opaque)\"" }
        if let algorithm = challenge.algorithm { s += ", algorithm=\(algorithm)" }
        return s
    }

    /// Server side: does this `Authorization` header prove the password for this method?
    public static func verify(
        header: String, method: String, user: String, password: String, realm: String, nonce: String
    ) -> Bool {
        let f = fields(header)
        guard f["username"] == user, f["realm"] == realm, f["nonce"] == nonce, let uri = f["uri"], let given = f["response"] else {
            return false
        }
        let expected = response(
            user: user, password: password, realm: realm, method: method, uri: uri, nonce: nonce,
            qop: f["qop"], nc: f["nc"], cnonce: f["cnonce"])
        return expected == given.lowercased()
    }

    /// Parses `Digest k="v", k=v, ...` into lower-cased keys.
    public static func fields(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(header).drop { $0 == " " }
        guard rest.lowercased().hasPrefix("digest ") else { return out }
        rest = rest.dropFirst(7)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for i in rest.indices {
                    if escaped { escaped = false; continue }
                    if rest[i] == "\\" { escaped = true; continue }
                    if rest[i] == "\"" { end = i; break }
                }
                value = String(rest[..<end]).replacingOccurrences(of: "\\\"", with: "\"")
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            out[key] = value
        }
        return out
    }
}

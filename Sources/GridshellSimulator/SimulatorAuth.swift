import Crypto
import Foundation

/// HTTP Digest authentication as stock Antminer firmware asks for it (realm
/// `antMiner Configuration`, MD5, qop auth).
enum SimulatorAuth {
    static let nonce = "4a8d2c1f9b7e6d5c3a2b1f0e9d8c7b6a"

    static func challenge(miner: SimulatedMiner) -> String {
        "Digest realm=\"\(WebResponder.realm)\", nonce=\"\(nonce)\", qop=\"auth\", algorithm=MD5"
    }

    static func md5(_ s: String) -> String {
        Insecure.MD5.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses `Digest k="v", k=v, ...`.
    static func fields(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(header)
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
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = String(rest[..<end])
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

    /// True when the request carries a valid Digest response for the miner's user and password.
    static func authorized(_ request: WebRequest, miner: SimulatedMiner) -> Bool {
        guard let header = request.header("Authorization") else { return false }
        let f = fields(header)
        guard let user = f["username"], user == miner.spec.webUser, let uri = f["uri"], let response = f["response"],
            f["realm"] == WebResponder.realm, f["nonce"] == nonce
        else { return false }
        let ha1 = md5("\(user):\(WebResponder.realm):\(miner.spec.webPassword)")
        let ha2 = md5("\(request.method):\(uri)")
        let expected: String
        if let qop = f["qop"], let nc = f["nc"], let cnonce = f["cnonce"] {
            expected = md5("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
        } else {
            expected = md5("\(ha1):\(nonce):\(ha2)")
        }
        return expected == response.lowercased()
    }
}

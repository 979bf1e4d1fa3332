import Crypto
import Foundation

/// The hash of an HTTP Digest exchange (RFC 7616 §3.4.1). Stock Antminers use MD5.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case md5 = "MD5"
    case md5Session = "MD5-sess"
    case sha256 = "SHA-256"
    case sha256Session = "SHA-256-sess"

    /// Reads the `algorithm` parameter, ignoring case.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = match
    }

    var isSession: Bool { self == .md5Session || self == .sha256Session }

    /// Lower-case hex of the hash of `text`'s UTF-8 bytes.
    func hex(_ text: String) -> String {
        let data = Data(text.utf8)
        switch self {
        case .md5, .md5Session: return Self.hex(Insecure.MD5.hash(data: data))
        case .sha256, .sha256Session: return Self.hex(SHA256.hash(data: data))
        }
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in digest {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0xF)])
        }
        return s
    }
}

/// Why Digest authentication could not go ahead. Messages name the parameter, never a password.
public enum DigestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header is for another scheme (Basic, Bearer ...).
    case notDigest(scheme: String)
    case missingParameter(String)
    case unsupportedAlgorithm(String)
    /// The challenge offers only protection this code does not do (`auth-int`).
    case unsupportedQop(String)
    case malformed(String)
    // Server-side verdicts.
    case realmMismatch(String)
    case uriMismatch(String)
    case unknownUser(String)
    case wrongResponse(user: String)
    case staleNonce
    case nonceCountReused(UInt32)

    public var description: String {
        switch self {
        case .notDigest(let scheme): return "not a Digest header (scheme '\(scheme)')"
        case .missingParameter(let p): return "Digest header without '\(p)'"
        case .unsupportedAlgorithm(let a): return "unsupported Digest algorithm '\(a)'"
        case .unsupportedQop(let q): return "unsupported Digest qop '\(q)' (only 'auth' is implemented)"
        case .malformed(let what): return "malformed Digest header: \(what)"
        case .realmMismatch(let r): return "Digest realm '\(r)' is not this server's"
        case .uriMismatch(let u): return "Digest uri '\(u)' does not match the request"
        case .unknownUser(let u): return "unknown user '\(u)'"
        case .wrongResponse(let u): return "wrong password or response for user '\(u)'"
        case .staleNonce: return "the nonce is stale or was not issued by this server"
        case .nonceCountReused(let nc): return "nonce count \(nc) was already used"
        }
    }
}

/// A `WWW-Authenticate: Digest realm="...", nonce="...", qop="auth"` challenge.
public struct DigestChallenge: Sendable, Equatable {
    public var realm: String
    public var nonce: String
    /// The `qop` options offered; empty for an RFC 2069 challenge without qop.
    public var qop: [String]
    public var opaque: String?
    public var algorithm: DigestAlgorithm
    /// Whether the challenge named its algorithm (the answer then names it too).
    public var algorithmStated: Bool
    public var stale: Bool

    public init(
        realm: String, nonce: String, qop: [String] = ["auth"], opaque: String? = nil,
        algorithm: DigestAlgorithm = .md5, algorithmStated: Bool = false, stale: Bool = false
    ) {
        self.realm = realm
        self.nonce = nonce
        self.qop = qop
        self.opaque = opaque
        self.algorithm = algorithm
        self.algorithmStated = algorithmStated
        self.stale = stale
    }

    /// Reads the Digest challenge out of a `WWW-Authenticate` value, which may list several
    /// challenges (`Basic realm="x", Digest realm="y", nonce="z"`).
    public static func parse(_ header: String) throws(DigestError) -> DigestChallenge {
        let challenges = AuthHeader.parse(header)
        guard let digest = challenges.first(where: { $0.scheme.lowercased() == "digest" }) else {
            throw DigestError.notDigest(scheme: challenges.first?.scheme ?? "")
        }
        let p = digest.parameters
        guard let realm = p["realm"] else { throw DigestError.missingParameter("realm") }
        guard let nonce = p["nonce"] else { throw DigestError.missingParameter("nonce") }
        var algorithm = DigestAlgorithm.md5
        if let name = p["algorithm"] {
            guard let a = DigestAlgorithm(name: name) else { throw DigestError.unsupportedAlgorithm(name) }
            algorithm = a
        }
        let qop = (p["qop"] ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        return DigestChallenge(
            realm: realm, nonce: nonce, qop: qop, opaque: p["opaque"], algorithm: algorithm,
            algorithmStated: p["algorithm"] != nil, stale: p["stale"]?.lowercased() == "true")
    }

    /// The `WWW-Authenticate` value a server sends.
    public var headerValue: String {
        var parts = ["realm=\(AuthHeader.quoted(realm))"]
        if !qop.isEmpty { parts.append("qop=\(AuthHeader.quoted(qop.joined(separator: ",")))") }
        parts.append("nonce=\(AuthHeader.quoted(nonce))")
        if let opaque { parts.append("opaque=\(AuthHeader.quoted(opaque))") }
        if algorithmStated { parts.append("algorithm=\(algorithm.rawValue)") }
        if stale { parts.append("stale=true") }
        return "Digest " + parts.joined(separator: ", ")
    }

    /// A fresh random nonce or client nonce: 32 lower-case hex digits.
    public static func randomNonce() -> String {
        var rng = SystemRandomNumberGenerator()
        return DigestAlgorithm.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

/// `auth-param` lists as HTTP writes them (RFC 7235 §2.1).
enum AuthHeader {
    struct Challenge {
        var scheme: String
        /// Parameter names in lower case.
        var parameters: [String: String]
    }

    static func quoted(_ value: String) -> String {
        "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    /// Splits a header into challenges (or one credentials value) with their parameters.
    static func parse(_ header: String) -> [Challenge] {
        let chars = Array(header)
        var i = 0
        var out: [Challenge] = []
        func skip(_ set: Set<Character>) { while i < chars.count, set.contains(chars[i]) { i += 1 } }
        func token() -> String {
            let start = i
            while i < chars.count, !" \t,=\"".contains(chars[i]) { i += 1 }
            return String(chars[start..<i])
        }
        while i < chars.count {
            skip([" ", "\t", ","])
            guard i < chars.count else { break }
            let name = token()
            if name.isEmpty {
                i += 1  // a stray character; move on
                continue
            }
            skip([" ", "\t"])
            if i < chars.count, chars[i] == "=", !out.isEmpty {
                i += 1
                skip([" ", "\t"])
                var value = ""
                if i < chars.count, chars[i] == "\"" {
                    i += 1
                    while i < chars.count, chars[i] != "\"" {
                        if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                        value.append(chars[i])
                        i += 1
                    }
                    i += 1
                } else {
                    while i < chars.count, chars[i] != ",", chars[i] != " ", chars[i] != "\t" {
                        value.append(chars[i])
                        i += 1
                    }
                }
                out[out.count - 1].parameters[name.lowercased()] = value
            } else if i < chars.count, chars[i] == "=" {
                // A parameter before any scheme: ignore it.
                i += 1
                _ = token()
            } else {
                out.append(Challenge(scheme: name, parameters: [:]))
            }
        }
        return out
    }
}

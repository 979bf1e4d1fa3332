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
        var text = text
        return text.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            switch self {
            case .md5, .md5Session: return Self.hex(Insecure.MD5.hash(data: raw))
            case .sha256, .sha256Session: return Self.hex(SHA256.hash(data: raw))
            }
        }
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(64)
        digits.withUTF8Buffer { table in
            for b in digest {
                out.append(table[Int(b >> 4)])
                out.append(table[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
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
        // Two draws of 64 bits, not sixteen of 8: each draw asks the kernel.
        var rng = SystemRandomNumberGenerator()
        let halves = (rng.next(), rng.next())
        return withUnsafeBytes(of: halves) { DigestAlgorithm.hex($0) }
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
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else { return "\"" + value + "\"" }
        return "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    /// Splits a header into challenges (or one credentials value) with their parameters.
    /// Byte-wise: every separator is ASCII, and bytes of other characters are copied as they are.
    static func parse(_ header: String) -> [Challenge] {
        let bytes = Array(header.utf8)
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ","), equals = UInt8(ascii: "=")
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var i = 0
        var out: [Challenge] = []
        func skipBlanks(commas: Bool) {
            while i < bytes.count, bytes[i] == space || bytes[i] == tab || (commas && bytes[i] == comma) { i += 1 }
        }
        func token() -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == space || b == tab || b == comma || b == equals || b == quote { break }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        while i < bytes.count {
            skipBlanks(commas: true)
            guard i < bytes.count else { break }
            let name = token()
            if name.isEmpty {
                i += 1  // a stray character; move on
                continue
            }
            skipBlanks(commas: false)
            if i < bytes.count, bytes[i] == equals, !out.isEmpty {
                i += 1
                skipBlanks(commas: false)
                var value: [UInt8] = []
                if i < bytes.count, bytes[i] == quote {
                    i += 1
                    while i < bytes.count, bytes[i] != quote {
                        if bytes[i] == backslash, i + 1 < bytes.count { i += 1 }
                        value.append(bytes[i])
                        i += 1
                    }
                    i += 1
                } else {
                    while i < bytes.count, bytes[i] != comma, bytes[i] != space, bytes[i] != tab {
                        value.append(bytes[i])
                        i += 1
                    }
                }
                out[out.count - 1].parameters[name.lowercased()] = String(decoding: value, as: UTF8.self)
            } else if i < bytes.count, bytes[i] == equals {
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

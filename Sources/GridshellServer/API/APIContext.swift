import Synchronization
import Foundation
import GridshellStore
import Hummingbird

/// Who is calling, once the bearer token checked out.
public struct Caller: Sendable, Equatable {
    public var name: String
    public var role: Role
}

/// The request context of the API: Hummingbird's core storage and the caller.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// The caller, who must hold `role` or a higher one.
    func require(_ role: Role) throws -> Caller {
        guard let caller else { throw APIError(.unauthorized, "unauthenticated", "send an access token: Authorization: Bearer <token>") }
        guard caller.role >= role else {
            throw APIError(.forbidden, "forbidden", "this needs the \(role.rawValue) role; the token '\(caller.name)' has \(caller.role.rawValue)")
        }
        return caller
    }
}

/// An error the API answers with: its status and a JSON body that says what was wrong.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A short machine-readable code: `unauthenticated`, `forbidden`, `not-found`, …
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    struct Body: Encodable {
        struct Inner: Encodable {
            var status: Int
            var code: String
            var message: String
        }
        var error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(status: status.code, code: code, message: message)))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"gridshell\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Bearer tokens: `gs_` and 64 hex digits of randomness; the store keeps only their SHA-256.
public enum AccessToken {
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "gs_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func hash(_ token: String) -> String { SHA256Digest.hex(of: Data(token.utf8)) }

    /// Creates a token with `role`, saves its hash, and returns the secret (shown once).
    public static func create(name: String, role: Role, store: any SiteStore, at: Date = Date()) throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw APIError(.unprocessableContent, "invalid-name", "a token name is 1 to 64 letters, digits, '-', '_', '.' or '@'; got '\(name)'")
        }
        if try store.tokens().contains(where: { $0.name == name }) {
            throw APIError(.conflict, "exists", "a token named '\(name)' exists already")
        }
        let secret = generate()
        try store.addToken(TokenRecord(name: name, role: role, sha256: hash(secret), createdAt: at))
        return secret
    }
}

/// Checks the bearer token of every request under `/api/v1` (but the OpenAPI document) and
/// puts the caller in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let store: any SiteStore
    /// Token hash → caller, so a request costs one lookup after the first.
    let cache = TokenCache()

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/"), path != "/api/v1/openapi.json" else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "unauthenticated", "send an access token: Authorization: Bearer <token> (create one with 'gridshell token create --role viewer')")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "unauthenticated", "the Authorization header must be 'Bearer <token>'")
        }
        let hash = AccessToken.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))
        let caller: Caller
        if let known = cache.get(hash) {
            caller = known
        } else {
            guard let record = try store.token(hash: hash), record.revokedAt == nil else {
                throw APIError(.unauthorized, "unauthenticated", "the access token is not known or was revoked")
            }
            caller = Caller(name: record.name, role: record.role)
            cache.put(hash, caller)
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

/// Checked tokens for a minute, so a token revoked in the store stops working within one.
final class TokenCache: Sendable {
    private let entries = Mutex<[String: (caller: Caller, until: ContinuousClock.Instant)]>([:])
    static let lifetime = Duration.seconds(60)

    func get(_ hash: String) -> Caller? {
        entries.withLock { e in
            guard let hit = e[hash] else { return nil }
            if hit.until < .now { e[hash] = nil; return nil }
            return hit.caller
        }
    }

    func put(_ hash: String, _ caller: Caller) { entries.withLock { $0[hash] = (caller, .now + Self.lifetime) } }
}

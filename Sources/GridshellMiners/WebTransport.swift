import Foundation
import GridshellMinerProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP response from a miner's web interface.
public struct WebReply: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// Sends one HTTP request once connected and collects the response, within the reply timeout.
final class WebReplyCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private let request: HTTPRequestHead
    private let requestBody: [UInt8]
    private let promise: EventLoopPromise<WebReply>
    private let address: String
    private let limits: TransportLimits
    private var timeout: Scheduled<Void>?
    private var done = false

    init(request: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<WebReply>, address: String, limits: TransportLimits) {
        self.request = request
        self.requestBody = body
        self.promise = promise
        self.address = address
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: limits.replyTimeout) {
            let (handler, context) = bound.value
            handler.finish(context, .failure(MinerTransportError.replyTimeout(handler.address, bytes: handler.body.count)))
        }
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        if !requestBody.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: requestBody.count)
            buffer.writeBytes(requestBody)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(let b):
            b.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            if body.count > limits.maxReplyBytes { finish(context, .failure(MinerTransportError.replyTooLarge(address, limit: limits.maxReplyBytes))) }
        case .end:
            guard let head else {
                finish(context, .failure(MinerTransportError.other(address, "HTTP reply without a status line")))
                return
            }
            finish(context, .success(WebReply(status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: body)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(MinerTransportError.closedWithoutReply(address)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(MinerTransportError.other(address, "HTTP: \(error)")))
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<WebReply, any Error>) {
        guard !done else { return }
        done = true
        timeout?.cancel()
        timeout = nil
        promise.completeWith(result)
        context.close(promise: nil)
    }
}

/// Requests to a miner's web interface over HTTP/1.1, one connection each, answering Digest
/// challenges with the miner's credentials (the challenge is kept per miner, so later requests
/// authenticate on the first try).
public final class WebTransport: Sendable {
    public let group: any EventLoopGroup
    public let limits: TransportLimits
    public let user: String
    public let password: String
    private let challenges = Mutex<[String: (DigestChallenge, UInt32)]>([:])

    public init(group: any EventLoopGroup, limits: TransportLimits = TransportLimits(), user: String = "root", password: String = "root") {
        self.group = group
        self.limits = limits
        self.user = user
        self.password = password
    }

    /// One exchange without authentication handling.
    public func raw(
        _ method: HTTPMethod, _ path: String, body: [UInt8] = [], headers extra: [(String, String)] = [],
        address: String, port: Int = 80
    ) async throws -> WebReply {
        let limits = self.limits
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: WebReply.self)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: address)
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Length", value: String(body.count))
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        for (k, v) in extra { headers.replaceOrAdd(name: k, value: v) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        connectToMiner(on: eventLoop, address: address, port: port, connectTimeout: limits.connectTimeout, failing: promise) { channel in
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(WebReplyCollector(request: head, body: body, promise: promise, address: address, limits: limits))
        }
        return try await promise.futureResult.get()
    }

    /// A request that answers a Digest challenge; fails with the HTTP status when it is not 2xx.
    public func request(_ method: HTTPMethod, _ path: String, body: [UInt8] = [], address: String, port: Int = 80) async throws -> WebReply {
        var auth: [(String, String)] = []
        if let header = nextAuthorization(address: address, method: method, path: path) { auth = [("Authorization", header)] }
        var reply = try await raw(method, path, body: body, headers: auth, address: address, port: port)
        if reply.status == 401 {
            guard let value = reply.header("WWW-Authenticate"), let challenge = try? DigestChallenge.parse(value) else {
                throw MinerTransportError.other(address, "HTTP 401 for \(path) without a Digest challenge")
            }
            challenges.withLock { $0[address] = (challenge, 0) }
            guard let header = nextAuthorization(address: address, method: method, path: path) else {
                throw MinerTransportError.http(address, status: 401, path: path)
            }
            reply = try await raw(method, path, body: body, headers: [("Authorization", header)], address: address, port: port)
            if reply.status == 401 {
                throw MinerTransportError.other(address, "the web interface refused user '\(user)' for \(path) (wrong password?)")
            }
        }
        guard (200..<300).contains(reply.status) else { throw MinerTransportError.http(address, status: reply.status, path: path) }
        return reply
    }

    private func nextAuthorization(address: String, method: HTTPMethod, path: String) -> String? {
        let entry: (DigestChallenge, UInt32)? = challenges.withLock { map in
            guard var e = map[address] else { return nil }
            e.1 += 1
            map[address] = e
            return e
        }
        guard let (challenge, count) = entry else { return nil }
        return (try? DigestAuthorization(answering: challenge, username: user, password: password, method: method.rawValue, uri: path, nonceCount: count))?.headerValue
    }
}

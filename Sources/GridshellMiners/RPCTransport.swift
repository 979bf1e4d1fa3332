import Foundation
import GridshellMinerProtocol
import NIOCore
import NIOPosix

/// Why talking to a miner failed, in words an operator can act on.
public enum MinerTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectTimeout(String)
    case refused(String)
    case replyTimeout(String, bytes: Int)
    case closedWithoutReply(String)
    case replyTooLarge(String, limit: Int)
    case http(String, status: Int, path: String)
    case other(String, String)

    public var description: String {
        switch self {
        case .connectTimeout(let a): return "\(a): no connection within the timeout"
        case .refused(let a): return "\(a): connection refused"
        case .replyTimeout(let a, let n): return "\(a): reply not finished within the timeout (\(n) bytes received)"
        case .closedWithoutReply(let a): return "\(a): closed the connection without a reply"
        case .replyTooLarge(let a, let l): return "\(a): reply larger than \(l) bytes"
        case .http(let a, let s, let p): return "\(a): HTTP \(s) for \(p)"
        case .other(let a, let m): return "\(a): \(m)"
        }
    }
}

/// Timeouts and limits for one exchange with a miner.
public struct TransportLimits: Sendable, Equatable {
    public var connectTimeout: TimeAmount
    /// From connect to the last byte of the reply.
    public var replyTimeout: TimeAmount
    public var maxReplyBytes: Int

    public init(connectTimeout: TimeAmount = .milliseconds(1_000), replyTimeout: TimeAmount = .milliseconds(3_000), maxReplyBytes: Int = 4 << 20) {
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
        self.maxReplyBytes = maxReplyBytes
    }
}

/// The failure of a connection that could not be made, in an operator's words.
func connectFailure(_ error: any Error, address: String) -> MinerTransportError {
    if let error = error as? MinerTransportError { return error }
    if let error = error as? ChannelError, case .connectTimeout = error { return .connectTimeout(address) }
    let text = "\(error)"
    if text.contains("refused") || text.contains("ECONNREFUSED") { return .refused(address) }
    return .other(address, text)
}

/// Connects a channel set up by `initializer` to a miner by its literal address (no resolver:
/// a tenth of a sweep's time otherwise), failing `promise` with the reason when the connection
/// cannot be made. Everything happens on `eventLoop`: the caller's task only waits for the
/// promise, so an exchange crosses threads once each way.
func connectToMiner<T>(
    on eventLoop: any EventLoop, address: String, port: Int, connectTimeout: TimeAmount, reuseAddress: Bool = false,
    failing promise: EventLoopPromise<T>, initializer: @escaping @Sendable (any Channel) throws -> Void
) {
    let target: SocketAddress
    do {
        target = try SocketAddress(ipAddress: address, port: port)
    } catch {
        promise.fail(MinerTransportError.other(address, "\(error)"))
        return
    }
    var bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(connectTimeout)
    if reuseAddress { bootstrap = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 1) }
    bootstrap
        .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try initializer(channel) } }
        .connect(to: target)
        .whenFailure { promise.fail(connectFailure($0, address: address)) }
}

/// Collects one cgminer-API reply: sends the request once connected, then takes everything
/// until the NUL or the server's close, within the reply timeout.
final class RPCReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var bytes: [UInt8] = []
    private let request: [UInt8]
    private let promise: EventLoopPromise<[UInt8]>
    private let address: String
    private let limits: TransportLimits
    private var timeout: Scheduled<Void>?
    private var done = false

    init(request: [UInt8], promise: EventLoopPromise<[UInt8]>, address: String, limits: TransportLimits) {
        self.request = request
        self.promise = promise
        self.address = address
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: limits.replyTimeout) {
            let (handler, context) = bound.value
            handler.finish(context: context, .failure(MinerTransportError.replyTimeout(handler.address, bytes: handler.bytes.count)))
        }
        var out = context.channel.allocator.buffer(capacity: request.count)
        out.writeBytes(request)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { raw in bytes.append(contentsOf: raw) }
        if bytes.count > limits.maxReplyBytes {
            finish(context: context, .failure(MinerTransportError.replyTooLarge(address, limit: limits.maxReplyBytes)))
        } else if bytes.last == 0 {
            bytes.removeLast()
            finish(context: context, .success(bytes))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if bytes.isEmpty {
            finish(context: context, .failure(MinerTransportError.closedWithoutReply(address)))
        } else {
            finish(context: context, .success(bytes))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context: context, .failure(MinerTransportError.other(address, "\(error)")))
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<[UInt8], any Error>) {
        guard !done else { return }
        done = true
        timeout?.cancel()
        timeout = nil
        promise.completeWith(result)
        context.close(promise: nil)
    }
}

/// Sends cgminer-API requests over TCP: one connection per request, as the firmware expects.
public struct RPCTransport: Sendable {
    public let group: any EventLoopGroup
    public let limits: TransportLimits

    public init(group: any EventLoopGroup, limits: TransportLimits = TransportLimits()) {
        self.group = group
        self.limits = limits
    }

    /// Raw reply bytes (NUL removed) for one request.
    public func send(_ request: CGMinerRequest, to address: String, port: Int = 4028) async throws -> [UInt8] {
        try await exchange(request, to: address, port: port).get()
    }

    /// The same exchange as a future, run wholly on one event loop.
    public func exchange(_ request: CGMinerRequest, to address: String, port: Int = 4028) -> EventLoopFuture<[UInt8]> {
        let limits = self.limits
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let encoded = request.encoded
        connectToMiner(on: eventLoop, address: address, port: port, connectTimeout: limits.connectTimeout, reuseAddress: true, failing: promise) {
            try $0.pipeline.syncOperations.addHandler(RPCReplyCollector(request: encoded, promise: promise, address: address, limits: limits))
        }
        return promise.futureResult
    }
}

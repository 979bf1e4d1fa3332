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

/// A handler that finishes its exchange with a timeout error when told to.
protocol TimingOut: ChannelHandler, SendableMetatype {
    func timedOut(context: ChannelHandlerContext)
}

/// Connects to a miner by its literal address (no resolver: a tenth of a sweep's time
/// otherwise), failing `promise` and naming the failure when the connection cannot be made.
func connectToMiner<T>(
    _ bootstrap: ClientBootstrap, address: String, port: Int, failing promise: EventLoopPromise<T>
) async throws -> any Channel {
    do {
        let target = try SocketAddress(ipAddress: address, port: port)
        return try await bootstrap.connect(to: target).get()
    } catch let error as ChannelError {
        promise.fail(error)
        if case .connectTimeout = error { throw MinerTransportError.connectTimeout(address) }
        throw MinerTransportError.other(address, "\(error)")
    } catch {
        promise.fail(error)
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") { throw MinerTransportError.refused(address) }
        throw MinerTransportError.other(address, text)
    }
}

/// Tells the channel's `H` that its reply is late, unless the task is cancelled first.
func scheduleReplyTimeout<H: TimingOut>(_ type: H.Type, on channel: any Channel, after delay: TimeAmount) -> Scheduled<Void> {
    channel.eventLoop.scheduleTask(in: delay) {
        if let handler = try? channel.pipeline.syncOperations.handler(type: H.self),
            let context = try? channel.pipeline.syncOperations.context(handlerType: H.self)
        {
            handler.timedOut(context: context)
        }
    }
}

/// Collects one cgminer-API reply: everything until the NUL or the server's close.
final class RPCReplyCollector: ChannelInboundHandler, TimingOut {
    typealias InboundIn = ByteBuffer

    private var bytes: [UInt8] = []
    private let promise: EventLoopPromise<[UInt8]>
    private let address: String
    private let limit: Int
    private var done = false

    init(promise: EventLoopPromise<[UInt8]>, address: String, limit: Int) {
        self.promise = promise
        self.address = address
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { raw in bytes.append(contentsOf: raw) }
        if bytes.count > limit {
            finish(context: context, .failure(MinerTransportError.replyTooLarge(address, limit: limit)))
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

    func timedOut(context: ChannelHandlerContext) {
        finish(context: context, .failure(MinerTransportError.replyTimeout(address, bytes: bytes.count)))
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<[UInt8], any Error>) {
        guard !done else { return }
        done = true
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
        let limits = self.limits
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(limits.connectTimeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RPCReplyCollector(promise: promise, address: address, limit: limits.maxReplyBytes))
                }
            }
        let channel = try await connectToMiner(bootstrap, address: address, port: port, failing: promise)
        let timeout = scheduleReplyTimeout(RPCReplyCollector.self, on: channel, after: limits.replyTimeout)
        var out = channel.allocator.buffer(capacity: 96)
        out.writeBytes(request.encoded)
        channel.writeAndFlush(out, promise: nil)
        defer { timeout.cancel() }
        return try await promise.futureResult.get()
    }
}

import Foundation
import GridshellCore
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A running simulated fleet: every miner listens on its own loopback address, on the cgminer
/// RPC port and the web port, and answers as its firmware does.
public final class SimulatedFleet: Sendable {
    public let miners: [SimulatedMiner]
    public let clock: SimulatorClock
    public let rpcPort: Int
    public let webPort: Int
    private let byAddress: [String: SimulatedMiner]
    private let group: MultiThreadedEventLoopGroup
    private let channels: [any Channel]
    /// True when the fleet shares one wildcard socket per port (see `Listening.shared`).
    public let shared: Bool

    public enum StartError: Error, CustomStringConvertible {
        case bind(address: String, port: Int, reason: String)
        case descriptors(needed: Int, available: Int)

        public var description: String {
            switch self {
            case .bind(let a, let p, let r): return "cannot listen on \(a):\(p): \(r)"
            case .descriptors(let n, let a):
                return "the fleet needs \(n) open files but the limit is \(a); raise it with `ulimit -n \(n)` or run as root"
            }
        }
    }

    private init(
        miners: [SimulatedMiner], clock: SimulatorClock, rpcPort: Int, webPort: Int,
        group: MultiThreadedEventLoopGroup, channels: [any Channel], shared: Bool
    ) {
        self.shared = shared
        self.miners = miners
        self.clock = clock
        self.rpcPort = rpcPort
        self.webPort = webPort
        self.group = group
        self.channels = channels
        var map: [String: SimulatedMiner] = [:]
        for m in miners { map[m.spec.address] = m }
        self.byAddress = map
    }

    public func miner(at address: String) -> SimulatedMiner? { byAddress[address] }

    /// Lowers the scheduling priority of the simulator's threads (Linux `nice`, 0–19), so a
    /// process that also runs the site controller, as the demo does, gives the controller the
    /// CPU first: the miners stand for machines of their own.
    public func lowerPriority(niceness: Int32) async {
        #if os(Linux)
            for loop in group.makeIterator() {
                _ = try? await loop.submit { // On Linux the "process" 0 is the calling thread.
                    setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }.get()
            }
        #endif
    }

    /// How the miners' sockets are laid out.
    public enum Listening: Sendable, Equatable {
        /// Two listening sockets per miner, each bound to the miner's own address.
        case perAddress
        /// One socket per port bound to the wildcard address; a connection is served by the
        /// miner whose address it was made to, and closed at once when no miner has that
        /// address (so only loopback connections to the fleet are answered). For fleets larger
        /// than the open-file limit allows per address.
        case shared
        /// Per address when the open-file limit allows it, shared otherwise.
        case automatic
    }

    /// Binds every miner's two ports and returns once all of them listen.
    public static func start(
        specs: [SimulatedMinerSpec], clock: SimulatorClock, rpcPort: Int = 4028, webPort: Int = 80,
        threads: Int = System.coreCount, listening: Listening = .automatic
    ) async throws -> SimulatedFleet {
        var layout = listening
        if layout != .shared {
            do {
                try raiseOpenFileLimit(to: specs.count * 2 + 2_048)
                layout = .perAddress
            } catch {
                if layout == .perAddress { throw error }
                try raiseOpenFileLimit(to: 4_096)
                layout = .shared
            }
        } else {
            try raiseOpenFileLimit(to: 4_096)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let miners = specs.map { SimulatedMiner(spec: $0, clock: clock) }
        var channels: [any Channel] = []
        do {
            if layout == .shared {
                var map: [String: SimulatedMiner] = [:]
                for m in miners { map[m.spec.address] = m }
                let lookup = map
                let find: @Sendable (any Channel) -> SimulatedMiner? = { channel in
                    channel.localAddress?.ipAddress.flatMap { lookup[$0] }
                }
                do {
                    channels.append(try await rpcBootstrap(group: group, find: find).bind(host: "0.0.0.0", port: rpcPort).get())
                } catch { throw StartError.bind(address: "0.0.0.0", port: rpcPort, reason: "\(error)") }
                do {
                    channels.append(try await webBootstrap(group: group, find: find).bind(host: "0.0.0.0", port: webPort).get())
                } catch { throw StartError.bind(address: "0.0.0.0", port: webPort, reason: "\(error)") }
            } else {
                channels.reserveCapacity(miners.count * 2)
                // Bind in batches so a large fleet does not queue tens of thousands of futures at once.
                for batch in stride(from: 0, to: miners.count, by: 512) {
                    var futures: [(String, Int, EventLoopFuture<any Channel>)] = []
                    for miner in miners[batch..<min(batch + 512, miners.count)] {
                        let find: @Sendable (any Channel) -> SimulatedMiner? = { _ in miner }
                        futures.append((miner.spec.address, rpcPort, rpcBootstrap(group: group, find: find).bind(host: miner.spec.address, port: rpcPort)))
                        futures.append((miner.spec.address, webPort, webBootstrap(group: group, find: find).bind(host: miner.spec.address, port: webPort)))
                    }
                    for (address, port, future) in futures {
                        do {
                            channels.append(try await future.get())
                        } catch {
                            throw StartError.bind(address: address, port: port, reason: "\(error)")
                        }
                    }
                }
            }
        } catch {
            for c in channels { try? await c.close() }
            try? await group.shutdownGracefully()
            throw error
        }
        return SimulatedFleet(miners: miners, clock: clock, rpcPort: rpcPort, webPort: webPort, group: group, channels: channels, shared: layout == .shared)
    }

    /// Closes every listener and stops the event loops.
    public func stop() async {
        await withTaskGroup(of: Void.self) { tasks in
            for chunk in stride(from: 0, to: channels.count, by: 1_024) {
                let slice = Array(channels[chunk..<min(chunk + 1_024, channels.count)])
                tasks.addTask { for c in slice { try? await c.close() } }
            }
        }
        try? await group.shutdownGracefully()
    }

    static func rpcBootstrap(group: MultiThreadedEventLoopGroup, find: @escaping @Sendable (any Channel) -> SimulatedMiner?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4_096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard let miner = find(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(miner: miner))
                }
            }
    }

    static func webBootstrap(group: MultiThreadedEventLoopGroup, find: @escaping @Sendable (any Channel) -> SimulatedMiner?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4_096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard let miner = find(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebConnectionHandler(miner: miner))
                }
            }
    }

    /// Each miner holds two listening sockets and each open connection one more.
    /// Raises the soft open-file limit to `needed` (and the hard one where allowed); throws when
    /// the hard limit is lower than that.
    static func raiseOpenFileLimit(to needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur >= rlim_t(needed) { return }
        var wanted = limit
        wanted.rlim_cur = rlim_t(needed)
        if wanted.rlim_max < rlim_t(needed) { wanted.rlim_max = rlim_t(needed) }
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &wanted) == 0 { return }
        // Not allowed to raise the hard limit: take what it allows, and fail if it is too little.
        wanted.rlim_max = limit.rlim_max
        wanted.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &wanted)
        if limit.rlim_max < rlim_t(needed) {
            throw StartError.descriptors(needed: needed, available: Int(limit.rlim_max))
        }
    }
}

/// Applies a fault's effect to a reply about to be written: nothing, a delay, noise or silence.
enum FaultEffect {
    case answer
    case silence
    case delay(TimeAmount)
    case garbage
    case drip(bytesPerSecond: Int)
    case huge(bytes: Int)

    static func of(_ miner: SimulatedMiner) -> FaultEffect {
        if miner.isRebooting { return .silence }
        for f in miner.faults {
            switch f {
            case .noAnswer: return .silence
            case .slowAnswer(let s): return .delay(.milliseconds(Int64(s * 1_000)))
            case .garbage: return .garbage
            case .slowDrip(let rate): return .drip(bytesPerSecond: max(1, rate))
            case .hugeReply(let n): return .huge(bytes: n)
            default: continue
            }
        }
        return .answer
    }

    static func noise(count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}

/// One cgminer-API connection: read one request, answer, end with NUL and close.
final class RPCConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let miner: SimulatedMiner
    private var request: [UInt8] = []
    private var answered = false

    init(miner: SimulatedMiner) { self.miner = miner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { request += bytes }
        if request.count > 65_536 {
            respond(context: context, with: RPCResponder.error(code: 23, message: "Request too long", miner: miner))
            return
        }
        if RPCResponder.isComplete(request) { respond(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed, !answered {
            if request.isEmpty { context.close(promise: nil) } else { respond(context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func respond(context: ChannelHandlerContext, with fixed: [UInt8]? = nil) {
        guard !answered else { return }
        answered = true
        let miner = self.miner
        let request = self.request
        switch FaultEffect.of(miner) {
        case .silence:
            // Hold the connection open, as a hung miner does, until the client gives up.
            let channel = context.channel
            context.eventLoop.scheduleTask(in: .seconds(120)) { channel.close(promise: nil) }
        case .garbage:
            write(context: context, bytes: FaultEffect.noise(count: 600))
        case .huge(let n):
            write(context: context, bytes: [UInt8](repeating: UInt8(ascii: " "), count: n) + (fixed ?? RPCResponder.reply(to: request, miner: miner)) + [0])
        case .drip(let rate):
            let bytes = (fixed ?? RPCResponder.reply(to: request, miner: miner)) + [0]
            drip(context: context, bytes: bytes[...], chunk: max(1, rate / 10))
        case .delay(let t):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: t) {
                let (handler, ctx) = bound.value
                handler.write(context: ctx, bytes: (fixed ?? RPCResponder.reply(to: request, miner: miner)) + [0])
            }
        case .answer:
            write(context: context, bytes: (fixed ?? RPCResponder.reply(to: request, miner: miner)) + [0])
        }
    }

    /// Writes `chunk` bytes every tenth of a second until done, then closes.
    private func drip(context: ChannelHandlerContext, bytes: ArraySlice<UInt8>, chunk: Int) {
        guard context.channel.isActive else { return }
        guard !bytes.isEmpty else {
            context.close(promise: nil)
            return
        }
        var out = context.channel.allocator.buffer(capacity: chunk)
        out.writeBytes(bytes.prefix(chunk))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        let rest = bytes.dropFirst(chunk)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(100)) {
            let (handler, ctx) = bound.value
            handler.drip(context: ctx, bytes: rest, chunk: chunk)
        }
    }

    private func write(context: ChannelHandlerContext, bytes: [UInt8]) {
        var out = context.channel.allocator.buffer(capacity: bytes.count)
        out.writeBytes(bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// One HTTP connection to the miner's web interface.
final class WebConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let miner: SimulatedMiner
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(miner: SimulatedMiner) { self.miner = miner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var b):
            if body.count < 1_048_576, let bytes = b.readBytes(length: b.readableBytes) { body += bytes }
        case .end:
            guard let head else { return }
            self.head = nil
            let miner = self.miner
            let request = WebRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            switch FaultEffect.of(miner) {
            case .silence:
                let channel = context.channel
                context.eventLoop.scheduleTask(in: .seconds(120)) { channel.close(promise: nil) }
            case .garbage, .drip, .huge:
                var out = context.channel.allocator.buffer(capacity: 600)
                out.writeBytes(FaultEffect.noise(count: 600))
                let channel = context.channel
                // Bypass the HTTP encoder: write raw noise on the socket and close.
                channel.writeAndFlush(out).whenComplete { _ in channel.close(promise: nil) }
            case .delay(let t):
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: t) {
                    let (handler, ctx) = bound.value
                    handler.send(context: ctx, WebResponder.respond(to: request, miner: miner), keepAlive: head.isKeepAlive)
                }
            case .answer:
                send(context: context, WebResponder.respond(to: request, miner: miner), keepAlive: head.isKeepAlive)
            }
        }
    }

    private func send(context: ChannelHandlerContext, _ response: WebResponse, keepAlive: Bool) {
        var headers = HTTPHeaders()
        for (k, v) in response.headers { headers.add(name: k, value: v) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var out = context.channel.allocator.buffer(capacity: response.body.count)
        out.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(out))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// An HTTP request as the web responder sees it.
public struct WebRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }
}

/// An HTTP response from a simulated miner.
public struct WebResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP server on loopback for the feed tests: it answers from `routes`, and is stopped
/// when `body` returns.
func withFeedServer<T: Sendable>(
    _ configure: @Sendable (Router<BasicRequestContext>) -> Void, _ body: @Sendable (String) async throws -> T
) async throws -> T {
    let router = Router()
    configure(router)
    let (stream, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
    // Stopped gracefully, not cancelled: a connection arriving while a cancelled server winds
    // down can trip NIO's writer checks.
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "feed-server")))
    let task = Task { try await group.run() }
    var iterator = stream.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    do {
        let result = try await body("http://127.0.0.1:\(port)")
        await group.triggerGracefulShutdown()
        _ = await task.result
        return result
    } catch {
        await group.triggerGracefulShutdown()
        _ = await task.result
        throw error
    }
}

func text(_ s: String, type: String = "application/json") -> Response {
    Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: s)))
}

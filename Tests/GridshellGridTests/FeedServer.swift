import Foundation
import Hummingbird
import NIOCore

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
    let task = Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = stream.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    do {
        let result = try await body("http://127.0.0.1:\(port)")
        task.cancel()
        _ = await task.result
        return result
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}

func text(_ s: String, type: String = "application/json") -> Response {
    Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: s)))
}

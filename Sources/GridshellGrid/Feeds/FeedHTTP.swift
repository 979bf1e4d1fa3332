import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// GETs for the feeds: a timeout, a cap on the body, the status checked, each failure in words.
struct FeedHTTP: Sendable {
    var timeoutSeconds: Double = 10
    var maxBytes = 8 << 20
    var headers: [String: String] = [:]

    func get(_ url: String, feed: String) async throws(FeedError) -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: Grid.userAgent)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            let body: ByteBuffer
            do { body = try await response.body.collect(upTo: maxBytes) } catch is NIOTooManyBytesError {
                throw FeedError(feed: feed, "GET \(url): the answer is over \(maxBytes >> 20) MB")
            }
            guard response.status == .ok else {
                let text = String(buffer: body).prefix(200)
                throw FeedError(feed: feed, "GET \(url): HTTP \(response.status.code) \(response.status.reasonPhrase)\(text.isEmpty ? "" : ": \(text)")")
            }
            return Data(body.readableBytesView)
        } catch let error as FeedError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw FeedError(feed: feed, "GET \(url): no answer within \(timeoutSeconds) s")
        } catch {
            throw FeedError(feed: feed, "GET \(url): \(error)")
        }
    }
}

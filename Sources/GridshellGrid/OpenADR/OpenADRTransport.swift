import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The four services of OpenADR 2.0b simple HTTP, each at `{vtnURL}/{service}`.
public enum OpenADRService: String, Sendable, CaseIterable {
    case registerParty = "EiRegisterParty"
    case report = "EiReport"
    case event = "EiEvent"
    case poll = "OadrPoll"
}

/// How the VEN reaches its VTN: one XML document out, one back. The HTTP transport is the real
/// one; tests may use an in-memory one.
public protocol OpenADRTransport: Sendable {
    /// Posts `body` to the service and returns the response body (possibly empty).
    func post(_ service: OpenADRService, body: [UInt8]) async throws -> [UInt8]
}

/// A request to the VTN that failed below the OpenADR layer.
public struct OpenADRTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The VTN answered with an HTTP status other than 200 (with the start of its body).
        case httpStatus(Int, body: String)
        /// No answer within the timeout.
        case timeout
        /// The connection or TLS failed (the text is the underlying error).
        case connection(String)
    }

    public var service: OpenADRService
    public var url: String
    public var reason: Reason

    public init(service: OpenADRService, url: String, reason: Reason) {
        self.service = service
        self.url = url
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .httpStatus(let code, let body):
            return "POST \(url): HTTP \(code)" + (body.isEmpty ? "" : " (\(body))")
        case .timeout: return "POST \(url): no answer within the timeout"
        case .connection(let text): return "POST \(url): \(text)"
        }
    }
}

/// TLS towards a VTN: the client certificate and key a VTN that authenticates VENs requires (as
/// OpenADR 2.0b certification does), and the CA its certificate must chain to. PEM files.
public struct OpenADRTLS: Sendable, Equatable {
    /// The VEN's certificate chain and private key; nil for a VTN that does not ask for one.
    public var certificateChainPath: String?
    public var privateKeyPath: String?
    /// The CA the VTN's certificate must chain to; nil trusts the system roots.
    public var trustRootsPath: String?

    public init(certificateChainPath: String?, privateKeyPath: String?, trustRootsPath: String? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.trustRootsPath = trustRootsPath
    }

    /// The NIOSSL client configuration: TLS 1.2 or later, this client certificate, these roots.
    public func makeConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let certificateChainPath, let privateKeyPath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
        }
        if let trustRootsPath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsPath))
        }
        return configuration
    }
}

/// OpenADR over AsyncHTTPClient: `POST {vtnURL}/{service}` with `Content-Type: application/xml`,
/// a timeout per request, a cap on the response size, and TLS with a client certificate when
/// configured.
public struct OpenADRHTTPTransport: OpenADRTransport {
    public let vtnURL: String
    public let timeout: TimeAmount
    public let maxResponseBytes: Int
    private let client: HTTPClient
    private let ownsClient: Bool

    /// Uses `client` (which the caller shuts down).
    public init(vtnURL: String, client: HTTPClient, timeout: TimeAmount = .seconds(15), maxResponseBytes: Int = XMLLimits.default.maxBytes) {
        self.vtnURL = vtnURL.hasSuffix("/") ? String(vtnURL.dropLast()) : vtnURL
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.ownsClient = false
    }

    /// Creates its own client, with TLS when `tls` is given; call `shutdown()` when done.
    public init(vtnURL: String, tls: OpenADRTLS? = nil, connectTimeout: TimeAmount = .seconds(5), timeout: TimeAmount = .seconds(15), maxResponseBytes: Int = XMLLimits.default.maxBytes) throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: timeout)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        if let tls { configuration.tlsConfiguration = try tls.makeConfiguration() }
        self.vtnURL = vtnURL.hasSuffix("/") ? String(vtnURL.dropLast()) : vtnURL
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.ownsClient = true
    }

    /// Shuts down the client this transport created (nothing when it was given one).
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func post(_ service: OpenADRService, body: [UInt8]) async throws -> [UInt8] {
        let url = vtnURL + "/" + service.rawValue
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/xml")
        request.headers.add(name: "User-Agent", value: Grid.userAgent)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw OpenADRTransportError(service: service, url: url, reason: .timeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OpenADRTransportError(service: service, url: url, reason: .connection(String(describing: error)))
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxResponseBytes {
            throw OpenADRMessageError(.tooLarge(limit: maxResponseBytes))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw OpenADRMessageError(.tooLarge(limit: maxResponseBytes))
        } catch {
            throw OpenADRTransportError(service: service, url: url, reason: .connection(String(describing: error)))
        }
        guard response.status == .ok else {
            let text = String(decoding: buffer.readableBytesView.prefix(200), as: UTF8.self)
            throw OpenADRTransportError(service: service, url: url, reason: .httpStatus(Int(response.status.code), body: text))
        }
        return Array(buffer.readableBytesView)
    }
}

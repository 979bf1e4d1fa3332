import Crypto
import Foundation

/// SHA-256 as lowercase hex (swift-crypto), for site file versions.
enum SHA256Digest {
    static func hex(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

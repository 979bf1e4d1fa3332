import Crypto
import Foundation

/// SHA-256 as lowercase hex (swift-crypto): site file versions and token hashes.
public enum SHA256Digest {
    public static func hex(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

import Foundation
import GridshellMinerProtocol

/// HTTP Digest authentication as stock Antminer firmware asks for it (realm
/// `antMiner Configuration`, MD5, qop auth).
enum SimulatorAuth {
    static let nonce = "4a8d2c1f9b7e6d5c3a2b1f0e9d8c7b6a"
    static let server = DigestServer(realm: WebResponder.realm)

    static func challenge(miner: SimulatedMiner) -> String {
        server.challenge(nonce: nonce).headerValue
    }

    /// True when the request carries a valid Digest response for the miner's user and password.
    static func authorized(_ request: WebRequest, miner: SimulatedMiner) -> Bool {
        guard let header = request.header("Authorization") else { return false }
        let user = miner.spec.webUser, password = miner.spec.webPassword
        return (try? server.verify(
            authorization: header, method: request.method, requestURI: request.uri,
            password: { $0 == user ? password : nil }, isValidNonce: { $0 == nonce })) != nil
    }
}

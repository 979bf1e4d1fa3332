/// The `Authorization: Digest ...` credentials for one request (RFC 7616, RFC 2617).
public struct DigestAuthorization: Sendable, Equatable {
    public var username: String
    public var realm: String
    public var nonce: String
    public var uri: String
    public var response: String
    public var algorithm: DigestAlgorithm
    /// Whether the header names the algorithm (it does when the challenge did).
    public var algorithmStated: Bool
    /// `auth`, or nil for an RFC 2069 exchange without qop.
    public var qop: String?
    /// `nc`: how many requests used this nonce, counting this one.
    public var nonceCount: UInt32?
    /// `cnonce`.
    public var clientNonce: String?
    public var opaque: String?

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String,
        algorithm: DigestAlgorithm = .md5, algorithmStated: Bool = false, qop: String? = nil,
        nonceCount: UInt32? = nil, clientNonce: String? = nil, opaque: String? = nil
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.algorithmStated = algorithmStated
        self.qop = qop
        self.nonceCount = nonceCount
        self.clientNonce = clientNonce
        self.opaque = opaque
    }

    /// Answers `challenge` for `method` and `uri` (the request target, e.g.
    /// `/cgi-bin/get_system_info.cgi`). Uses qop `auth` when offered, the RFC 2069 form when no
    /// qop is offered; a challenge that offers only `auth-int` is refused.
    public init(
        answering challenge: DigestChallenge, username: String, password: String, method: String, uri: String,
        nonceCount: UInt32 = 1, clientNonce: String = DigestChallenge.randomNonce()
    ) throws(DigestError) {
        var qop: String?
        if !challenge.qop.isEmpty {
            guard challenge.qop.contains(where: { $0.lowercased() == "auth" }) else {
                throw DigestError.unsupportedQop(challenge.qop.joined(separator: ","))
            }
            qop = "auth"
        }
        self.init(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: "",
            algorithm: challenge.algorithm, algorithmStated: challenge.algorithmStated, qop: qop,
            nonceCount: qop == nil ? nil : nonceCount, clientNonce: qop == nil && !challenge.algorithm.isSession ? nil : clientNonce,
            opaque: challenge.opaque)
        response = expectedResponse(password: password, method: method)
    }

    /// `nc` as the header writes it: eight hex digits.
    public var nonceCountText: String? {
        guard let nonceCount else { return nil }
        let hex = String(nonceCount, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    /// The response a client that knows `password` computes:
    /// H(HA1:nonce:nc:cnonce:qop:HA2) with qop, H(HA1:nonce:HA2) without, where
    /// HA1 = H(user:realm:password) (then H(HA1:nonce:cnonce) for -sess) and HA2 = H(method:uri).
    public func expectedResponse(password: String, method: String) -> String {
        let h = algorithm.hex
        var ha1 = h("\(username):\(realm):\(password)")
        if algorithm.isSession { ha1 = h("\(ha1):\(nonce):\(clientNonce ?? "")") }
        let ha2 = h("\(method):\(uri)")
        if let qop {
            return h("\(ha1):\(nonce):\(nonceCountText ?? "00000001"):\(clientNonce ?? ""):\(qop):\(ha2)")
        }
        return h("\(ha1):\(nonce):\(ha2)")
    }

    /// The `Authorization` header value.
    public var headerValue: String {
        var parts = [
            "username=\(AuthHeader.quoted(username))", "realm=\(AuthHeader.quoted(realm))",
            "nonce=\(AuthHeader.quoted(nonce))", "uri=\(AuthHeader.quoted(uri))",
        ]
        if algorithmStated { parts.append("algorithm=\(algorithm.rawValue)") }
        parts.append("response=\(AuthHeader.quoted(response))")
        if let opaque { parts.append("opaque=\(AuthHeader.quoted(opaque))") }
        if let qop { parts.append("qop=\(qop)") }
        if let nc = nonceCountText { parts.append("nc=\(nc)") }
        if let clientNonce { parts.append("cnonce=\(AuthHeader.quoted(clientNonce))") }
        return "Digest " + parts.joined(separator: ", ")
    }

    /// Reads an `Authorization` header value (server side).
    public static func parse(_ header: String) throws(DigestError) -> DigestAuthorization {
        let all = AuthHeader.parse(header)
        guard let digest = all.first, digest.scheme.lowercased() == "digest" else {
            throw DigestError.notDigest(scheme: all.first?.scheme ?? "")
        }
        let p = digest.parameters
        func required(_ name: String) throws(DigestError) -> String {
            guard let v = p[name] else { throw DigestError.missingParameter(name) }
            return v
        }
        var algorithm = DigestAlgorithm.md5
        if let name = p["algorithm"] {
            guard let a = DigestAlgorithm(name: name) else { throw DigestError.unsupportedAlgorithm(name) }
            algorithm = a
        }
        var nc: UInt32?
        if let text = p["nc"] {
            guard let value = UInt32(text, radix: 16) else { throw DigestError.malformed("nc '\(text)' is not hexadecimal") }
            nc = value
        }
        let qop = p["qop"]
        if let qop, qop.lowercased() != "auth" { throw DigestError.unsupportedQop(qop) }
        if qop != nil {
            guard nc != nil else { throw DigestError.missingParameter("nc") }
            guard p["cnonce"] != nil else { throw DigestError.missingParameter("cnonce") }
        }
        return DigestAuthorization(
            username: try required("username"), realm: try required("realm"), nonce: try required("nonce"),
            uri: try required("uri"), response: try required("response").lowercased(), algorithm: algorithm,
            algorithmStated: p["algorithm"] != nil, qop: qop, nonceCount: nc, clientNonce: p["cnonce"], opaque: p["opaque"])
    }
}

/// The server side of Digest authentication, as the miner simulator runs it.
public struct DigestServer: Sendable {
    public var realm: String
    public var algorithm: DigestAlgorithm
    /// Offer qop `auth` (stock Antminers do); false gives the RFC 2069 form.
    public var offersQop: Bool

    public init(realm: String = AntminerWebPage.realm, algorithm: DigestAlgorithm = .md5, offersQop: Bool = true) {
        self.realm = realm
        self.algorithm = algorithm
        self.offersQop = offersQop
    }

    /// The challenge for a 401 reply.
    public func challenge(nonce: String = DigestChallenge.randomNonce(), opaque: String? = nil, stale: Bool = false) -> DigestChallenge {
        DigestChallenge(
            realm: realm, nonce: nonce, qop: offersQop ? ["auth"] : [], opaque: opaque, algorithm: algorithm,
            algorithmStated: algorithm != .md5, stale: stale)
    }

    /// Checks an `Authorization` header against the request and the user's password.
    ///
    /// - Parameters:
    ///   - requestURI: the request target; the header's `uri` must be the same.
    ///   - password: the password of a user, nil for an unknown user.
    ///   - isValidNonce: whether this server issued the nonce and it is still fresh.
    /// - Returns: the user name.
    public func verify(
        authorization header: String, method: String, requestURI: String,
        password: (String) -> String?, isValidNonce: (String) -> Bool = { _ in true }
    ) throws(DigestError) -> String {
        let auth = try DigestAuthorization.parse(header)
        guard auth.realm == realm else { throw DigestError.realmMismatch(auth.realm) }
        guard auth.uri == requestURI else { throw DigestError.uriMismatch(auth.uri) }
        guard auth.algorithm == algorithm else { throw DigestError.unsupportedAlgorithm(auth.algorithm.rawValue) }
        guard isValidNonce(auth.nonce) else { throw DigestError.staleNonce }
        guard let secret = password(auth.username) else { throw DigestError.unknownUser(auth.username) }
        guard Self.constantTimeEqual(auth.expectedResponse(password: secret, method: method), auth.response) else {
            throw DigestError.wrongResponse(user: auth.username)
        }
        return auth.username
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

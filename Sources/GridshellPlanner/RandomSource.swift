import Foundation

/// A seeded xoshiro256** generator (Blackman and Vigna's published algorithm), seeded through
/// splitmix64 so that nearby seeds give unrelated streams. Each simulation gets its own stream
/// from (seed, index), so results do not depend on how the simulations are split across cores.
public struct RandomSource: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Double?

    /// The stream of simulation `stream` under `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed &+ stream &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
        s0 = Self.splitmix(&x)
        s1 = Self.splitmix(&x)
        s2 = Self.splitmix(&x)
        s3 = Self.splitmix(&x)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    private static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1), 53 bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<n.
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int((next() >> 11) % UInt64(max(n, 1)))
    }

    /// Standard normal (Marsaglia's polar method; the second value is kept for the next call).
    @inline(__always)
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0, s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spareNormal = v * f
                return u * f
            }
        }
    }
}

/// A hashrate unit, as firmware names it in `rate_unit` ("GH", "GH/s", "H/s") or in a key
/// (`GHS 5s`, `MHS 5s`).
public enum HashUnit: String, Sendable, CaseIterable {
    case hash = "H"
    case kilo = "K"
    case mega = "M"
    case giga = "G"
    case tera = "T"
    case peta = "P"

    /// Reads "GH", "GH/s", "GHS", "gh/s", "H/s", "TH/s" ...; nil for anything else.
    public init?(text: String) {
        var t = text.trimmingSpaces.uppercased()
        if t.hasSuffix("/S") { t.removeLast(2) }
        if t.hasSuffix("HS") { t.removeLast(1) }
        if t == "H" || t == "SOL" {
            self = .hash
            return
        }
        guard t.count == 2, t.hasSuffix("H"), let unit = HashUnit(rawValue: String(t.prefix(1))) else { return nil }
        self = unit
    }

    /// Multiplier to tera-hashes.
    public var toTera: Double {
        switch self {
        case .hash: return 1e-12
        case .kilo: return 1e-9
        case .mega: return 1e-6
        case .giga: return 1e-3
        case .tera: return 1
        case .peta: return 1e3
        }
    }

    /// `value` in this unit, in tera-hashes.
    public func terahashes(_ value: Double) -> Double { value * toTera }
}

/// The algorithm a model mines and the unit its firmware really uses in the fields it calls
/// `GHS 5s`/`GHS av`/`chain_rate`.
///
/// Bitmain's non-Bitcoin miners keep the Bitcoin field names but not the unit. Compared with
/// nameplates, the Foreman captures show it: a D3 (19.3 GH/s X11) reports `"GHS 5s":"16346.64"`
/// and an L3+ (504 MH/s scrypt) `"504.56"`, so those fields hold MH/s (Foreman scales them by
/// 0.001 too); an E3 (190 MH/s Ethash) reports `"197.30"` (MH/s); a Z11 (135 ksol/s Equihash)
/// reports `"141.54"` (ksol/s).
public struct HashAlgorithm: Sendable, Equatable {
    /// "SHA-256", "Scrypt", "X11", "Ethash", "Equihash".
    public var name: String
    /// What a `GHS ...` field holds on this family when no `rate_unit` says otherwise.
    public var ghsFieldUnit: HashUnit

    /// Bitcoin: `GHS` fields hold GH/s.
    public static let sha256 = HashAlgorithm(name: "SHA-256", ghsFieldUnit: .giga)

    /// The algorithm of a model name; SHA-256 unless the name is a known altcoin family.
    public static func of(model: String) -> HashAlgorithm {
        let m = model.uppercased().replacingAll(" ", with: "")
        let body = m.hasPrefix("ANTMINER") ? String(m.dropFirst("ANTMINER".count)) : m
        func family(_ prefixes: [String]) -> Bool { prefixes.contains { body.hasPrefix($0) } }
        if family(["L3", "L7", "L9"]) { return HashAlgorithm(name: "Scrypt", ghsFieldUnit: .mega) }
        if family(["D3", "D5", "D7", "D9"]) { return HashAlgorithm(name: "X11", ghsFieldUnit: .mega) }
        if family(["E3", "E9"]) { return HashAlgorithm(name: "Ethash", ghsFieldUnit: .mega) }
        if family(["Z9", "Z11", "Z15"]) { return HashAlgorithm(name: "Equihash", ghsFieldUnit: .kilo) }
        return .sha256
    }
}

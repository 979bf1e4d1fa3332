import Foundation
import GridshellCore

/// Model names as miners report them, made comparable with the catalog.
///
/// Firmware decorates the name: `"Antminer S9 (vnish 3.8.6)"`, `"Antminer S9 Hiveon"`,
/// `"Antminer S9\nV1.3.58"`, `"Antminer S9 Pro (v5.1) "`, Braiins' `"Bitmain Antminer S19XP"`.
public enum MinerModelName {
    /// The reported name without firmware decorations, mapped to the catalog's spelling when the
    /// catalog knows the model (`"ANTMINER S19J PRO"` → `"Antminer S19j Pro"`); unknown models
    /// are kept as reported, only cleaned.
    public static func normalised(_ reported: String, catalog: MinerCatalog = .builtIn) -> String {
        let clean = cleaned(reported)
        return catalog.model(named: clean)?.name ?? clean
    }

    /// The maker: the catalog's, or read from the name's prefix.
    public static func make(ofModel model: String, catalog: MinerCatalog = .builtIn) -> String? {
        if let known = catalog.model(named: model) { return known.manufacturer }
        let lower = model.lowercased()
        if lower.hasPrefix("antminer") || lower.hasPrefix("bitmain") { return "Bitmain" }
        if lower.hasPrefix("whatsminer") { return "MicroBT" }
        if lower.hasPrefix("avalon") { return "Canaan" }
        if lower.hasPrefix("sealminer") || lower.hasPrefix("bitdeer") { return "Bitdeer" }
        return nil
    }

    /// First line, before any parenthesis, without a `Bitmain ` prefix or a firmware suffix.
    public static func cleaned(_ reported: String) -> String {
        var name = String(reported.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first ?? "")
        if let paren = name.range(of: " (") ?? name.range(of: "(") { name = String(name[..<paren.lowerBound]) }
        name = name.trimmingSpaces
        for suffix in [" hiveon", " aml"] where name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count)).trimmingSpaces
        }
        if name.lowercased().hasPrefix("bitmain ") { name = String(name.dropFirst("bitmain ".count)) }
        return name
    }
}

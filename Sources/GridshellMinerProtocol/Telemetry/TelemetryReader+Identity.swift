import GridshellCore

extension TelemetryReader {
    /// The model text as reported, from the most specific source present.
    var rawModel: String? {
        let candidates: [String?] = [
            systemInfo?.minerType,
            reply("version")?.first("VERSION")?.string("Type"),
            reply("stats")?.first("STATS")?.string("Type"),
            reply("devdetails")?.first("DEVDETAILS")?.string("Model"),
            reply("stats")?.first("INFO")?.string("type"),
            reply("summary")?.first("INFO")?.string("type"),
        ]
        return candidates.compactMap { $0 }.first { !$0.trimmingSpaces.isEmpty }
    }

    /// Firmware family from the version keys or any STATUS description.
    var firmwareFamily: FirmwareFamily? {
        let version = reply("version")?.first("VERSION")
        let keys = version?.keys.map { $0.lowercased() } ?? []
        let software = replies.values.compactMap { $0.status?.software?.lowercased() }
        if keys.contains("luxminer") || software.contains(where: { $0.contains("luxminer") }) { return .luxos }
        if keys.contains(where: { $0.hasPrefix("bosminer") || $0.hasPrefix("boser") })
            || software.contains(where: { $0.contains("bosminer") || $0.contains("boser") })
        {
            return .braiins
        }
        if version != nil || systemInfo != nil || !software.isEmpty { return .stock }
        return nil
    }

    func readIdentity() -> MinerIdentity? {
        let family = firmwareFamily
        let reported = rawModel
        guard family != nil || reported != nil else { return nil }
        let model = reported.map { MinerModelName.normalised($0, catalog: catalog) } ?? "Unknown"
        let version = reply("version")?.first("VERSION")
        var firmwareVersion: String?
        switch family {
        case .luxos:
            firmwareVersion = version?.string("LUXminer")
        case .braiins:
            if let key = version?.keys.first(where: { $0.lowercased().hasPrefix("bosminer") || $0.lowercased().hasPrefix("boser") }) {
                firmwareVersion = version?.string(key).map { "\(key) \($0)" }
            }
        default:
            firmwareVersion = version?.string("CompileTime") ?? systemInfo?.firmwareVersion
        }
        return MinerIdentity(
            make: MinerModelName.make(ofModel: model, catalog: catalog) ?? (family == nil ? "Unknown" : "Bitmain"),
            model: model, firmware: family ?? .stock,
            firmwareVersion: firmwareVersion ?? systemInfo?.firmwareVersion,
            macAddress: systemInfo?.macAddress ?? reply("config")?.first("CONFIG")?.string("MACAddr"),
            hostname: systemInfo?.hostname ?? reply("config")?.first("CONFIG")?.string("Hostname"),
            serialNumber: systemInfo?.serialNumber)
    }
}

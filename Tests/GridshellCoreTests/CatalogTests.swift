import Testing
@testable import GridshellCore

@Suite("Hardware catalog")
struct CatalogTests {
    /// FACTS.md §2, nameplate (TH/s, W).
    static let nameplates: [(String, Double, Double)] = [
        ("Antminer S19", 95, 3250), ("Antminer S19j Pro", 100, 3050), ("Antminer S19 XP", 140, 3010),
        ("Antminer S21", 200, 3500), ("Antminer S21 Pro", 234, 3510), ("Antminer S21 XP", 270, 3645),
        ("Antminer S21+ Hydro", 319, 4785), ("Antminer S21 XP Hyd", 473, 5676), ("Whatsminer M50S", 126, 3290),
        ("Whatsminer M60S", 186, 3344), ("Whatsminer M66S", 290, 5200), ("Avalon A1566", 185, 3420),
        ("Avalon A16 XP", 300, 3850), ("Bitdeer SealMiner A2", 226, 3730),
    ]

    @Test(arguments: nameplates)
    func everyModelHasItsNameplateAsStock(name: String, ths: Double, watts: Double) throws {
        let model = try #require(MinerCatalog.builtIn.model(named: name))
        for firmware in FirmwareFamily.allCases where firmware != .braiins {
            let stock = try #require(model.operatingPoints(firmware).first { $0.kind == .stock })
            #expect(stock.hashrateTHs == ths)
            #expect(abs(stock.powerW - watts) < 1e-6)
        }
    }

    @Test func s19jPro96TReproducesTheMeasuredPoints() throws {
        let model = try #require(MinerCatalog.builtIn.model(named: "S19j Pro 96T"))
        let points = model.operatingPoints(.luxos)
        let stock = try #require(points.first { $0.name == "default" })
        #expect(stock.hashrateTHs == 96 && abs(stock.powerW - 2850) < 1e-6)
        // 74.5 TH at 1,905 W underclocked (29.7 → 25.6 J/TH).
        let under = try #require(points.first { abs($0.hashrateTHs - 74.5) < 1e-9 })
        #expect(abs(under.powerW / 1905 - 1) < 0.005)
        #expect(abs(under.joulesPerTH - 25.57) < 0.1)
        // The published overclock (105 TH at 3,100 W, 29.5 J/TH) is more efficient than stock,
        // which no convex power curve reproduces; the model stays within 8 % of it.
        let over = try #require(points.first { abs($0.hashrateTHs - 105) < 1e-9 })
        #expect(abs(over.powerW / 3100 - 1) < 0.08)
    }

    @Test(arguments: FirmwareFamily.allCases)
    func pointsRiseInPowerAndEfficiencyFallsWithFrequency(firmware: FirmwareFamily) throws {
        for model in MinerCatalog.builtIn.models {
            let points = model.operatingPoints(firmware)
            #expect(points.first?.kind == .sleep)
            #expect(points.first?.powerW == firmware.ramp.sleepDrawW)
            let hashing = points.filter(\.isHashing)
            #expect(hashing.count >= 2)
            for (a, b) in zip(hashing, hashing.dropFirst()) {
                #expect(a.powerW < b.powerW)
                #expect(a.hashrateTHs < b.hashrateTHs)
                #expect(a.joulesPerTH < b.joulesPerTH, "\(model.name) \(firmware): \(a.name) vs \(b.name)")
            }
        }
    }

    @Test func stockLowPowerIsAQuarterUnderclock() throws {
        let model = try #require(MinerCatalog.builtIn.model(named: "Antminer S21"))
        let points = model.operatingPoints(.stock)
        #expect(points.map(\.name) == ["sleep", "low-power", "normal"])
        #expect(points[1].hashrateTHs == 150)
    }

    @Test func braiinsPowerTargetsDrawTheirWatts() throws {
        let model = try #require(MinerCatalog.builtIn.model(named: "Antminer S21"))
        for point in model.operatingPoints(.braiins).filter(\.isHashing) {
            let watts = try #require(Double(point.name.dropLast()))
            #expect(point.powerW == watts)
            #expect(abs(model.physics.powerW(frequencyRatio: point.frequencyRatio) - watts) < 0.01)
        }
    }

    @Test func firmwareRampsFollowLuxor() {
        #expect(FirmwareFamily.luxos.ramp.sleepDrawW == 25)
        #expect(FirmwareFamily.luxos.ramp.rampDownSeconds < 5.0001)
        #expect(FirmwareFamily.luxos.ramp.rampUpSeconds < 10.0001)
        #expect(FirmwareFamily.stock.ramp.rampUpSeconds >= 60)
    }

    @Test func modelLookupIgnoresCaseAndMaker() {
        #expect(MinerCatalog.builtIn.model(named: "s21 xp")?.name == "Antminer S21 XP")
        #expect(MinerCatalog.builtIn.model(named: "ANTMINER-S19J-PRO")?.name == "Antminer S19j Pro")
        #expect(MinerCatalog.builtIn.model(named: "S99") == nil)
    }

    @Test func gpuSystems() throws {
        let dgx = try #require(GPUSystem.named("DGX H100"))
        #expect(dgx.maxPowerW == 10_200)  // about 10.2 kW for 8 GPUs
        #expect(dgx.gpuMinPowerW == 200 && dgx.gpuMaxPowerW == 700)
        let nvl = try #require(GPUSystem.named("GB200 NVL72"))
        #expect((120_000...132_000).contains(nvl.maxPowerW))
        #expect(GPUSystem.named("H200 SXM") != nil)
        #expect(GPUSystem.named("B200") != nil)
        // Training at 600 of 700 W keeps about 88 % (−10–15 %); inference does not notice.
        let t = dgx.trainingCurve.throughput(atPowerFraction: 600.0 / 700)
        #expect(t > 0.85 && t < 0.90)
        #expect(dgx.inferenceCurve.throughput(atPowerFraction: 300.0 / 700) > 0.99)
        #expect(dgx.powerW(capFraction: 0) == 8 * 200 + 4_600)
        // Both curves are non-decreasing.
        for curve in [ThroughputCurve.training, .inference] {
            var last = 0.0
            for p in stride(from: 0.0, through: 1.0, by: 0.01) {
                let v = curve.throughput(atPowerFraction: p)
                #expect(v >= last)
                last = v
            }
        }
    }
}

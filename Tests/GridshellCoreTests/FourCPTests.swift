import Foundation
import Testing
@testable import GridshellCore

@Suite("4CP peak-risk signal")
struct FourCPTests {
    func issues(_ section: String) -> [SiteFileIssue] {
        do {
            _ = try SiteLoader.parse(yaml: SiteLoaderTests.minimal + "grid_programs:\n  four_cp:\n" + section, file: "site.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func theSectionIsReadWithItsDefaults() throws {
        let site = try SiteLoader.parse(yaml: SiteLoaderTests.minimal + """
            grid_programs:
              four_cp:
                signal: load
                source: http
                url: http://127.0.0.1:9/load
                value_field: ercot_load_mw
                months: [7, 8]
                reference_peak_mw: 80000
            """)
        let s = try #require(site.gridPrograms.fourCP)
        #expect(s.signal == .load && s.source == .http && s.valueField == "ercot_load_mw")
        #expect(s.months == [7, 8] && s.startHour == 14 && s.endHour == 19 && s.referencePeakMW == 80000)
        #expect(s.rows.priceField == "ercot_load_mw")
    }

    @Test func badSectionsAreNamed() {
        let noSource = issues("    signal: probability\n")
        #expect(noSource.contains { $0.key == "grid_programs.four_cp.source" })
        let noPath = issues("    signal: load\n    source: file\n")
        #expect(noPath.contains { $0.key == "grid_programs.four_cp.path" })
        let hours = issues("    signal: price\n    start_hour: 18\n    end_hour: 15\n")
        #expect(hours.contains { $0.key == "grid_programs.four_cp.end_hour" && $0.message.contains("after start_hour") })
        let month = issues("    signal: price\n    months: [6, 13]\n")
        #expect(month.contains { $0.key == "grid_programs.four_cp.months[1]" && $0.message.contains("1 to 12") })
        let ratios = issues("    signal: price\n    low_ratio: 0.99\n    high_ratio: 0.9\n")
        #expect(ratios.contains { $0.key == "grid_programs.four_cp.high_ratio" })
        let unknown = issues("    signal: price\n    threshold: 3\n")
        #expect(unknown.contains { $0.key.contains("threshold") })
        #expect(issues("    signal: price\n").isEmpty)
    }

    /// 2020-08-12 16:00 CDT (a Wednesday) and the same hour on the Saturday after.
    static let wednesday = Date(timeIntervalSince1970: 1_597_266_000)
    static let saturday = wednesday.addingTimeInterval(3 * 86_400)

    @Test func aLoadSignalRisesAsLoadNearsTheMonthsPeak() {
        var model = PeakRiskModel(settings: FourCPSettings(signal: .load, lowRatio: 0.95, highRatio: 1.0))
        // No peak seen yet and no reference: no basis for a chance.
        #expect(model.probability(value: 70_000, at: Self.wednesday) == 0)
        model.observeLoad(70_000, at: Self.wednesday.addingTimeInterval(-86_400))
        #expect(model.probability(value: 70_000, at: Self.wednesday) == 1)
        #expect(abs(model.probability(value: 68_250, at: Self.wednesday) - 0.5) < 1e-9)
        #expect(model.probability(value: 60_000, at: Self.wednesday) == 0)
        // Out of season: a weekend, the morning, another month.
        #expect(model.probability(value: 75_000, at: Self.saturday) == 0)
        #expect(model.probability(value: 75_000, at: Self.wednesday.addingTimeInterval(-8 * 3600)) == 0)
        #expect(model.probability(value: 75_000, at: Self.wednesday.addingTimeInterval(-60 * 86_400)) == 0)
    }

    @Test func aProbabilitySignalTakesSharesOrPercentages() {
        let model = PeakRiskModel(settings: FourCPSettings(signal: .probability))
        #expect(model.probability(value: 0.4, at: Self.wednesday) == 0.4)
        #expect(model.probability(value: 40, at: Self.wednesday) == 0.4)
        #expect(model.probability(value: 140, at: Self.wednesday) == 1)
    }

    @Test func aSeriesUsesOnlyThePastAndFindsTheMonthsPeakInTheWholeFile() {
        let settings = FourCPSettings(signal: .load, staleAfterMinutes: 90, lowRatio: 0.9, highRatio: 1.0)
        let start = Self.wednesday.addingTimeInterval(-2 * 3600)  // 14:00 CDT
        // Hourly load 14:00 to 18:00: rising to 17:00, and a higher reading after the grid ends.
        let loads: [Double] = [60_000, 64_000, 66_000, 67_000, 63_000, 69_000]
        let values = loads.enumerated().map { (time: start.addingTimeInterval(Double($0.offset) * 3600), value: $0.element) }
        let s = PeakRiskModel.series(settings: settings, values: values, start: start, intervalSeconds: 3600, count: 5)
        // Each interval is measured against the peak before it: 14:00 has none.
        #expect(s.probabilities[0] == 0)
        #expect(s.probabilities[1] == 1 && s.probabilities[3] == 1)
        #expect(abs(s.probabilities[4] - (63_000.0 / 67_000 - 0.9) / 0.1) < 1e-9)
        // The month's peak is the 19:00 reading, outside the grid: no interval of the grid holds it.
        #expect(s.peaks.isEmpty)
        let whole = PeakRiskModel.series(settings: settings, values: values, start: start, intervalSeconds: 3600, count: 6)
        #expect(whole.peaks == [5])
        // A stale signal gives nothing.
        let late = PeakRiskModel.series(settings: settings, values: Array(values.prefix(1)), start: start, intervalSeconds: 3600, count: 4)
        #expect(late.probabilities[2] == 0 && late.probabilities[3] == 0)
    }
}

import Foundation
import GridshellCore
import Testing
@testable import GridshellStore

@Suite("Telemetry: raw samples and buckets")
struct TelemetryTests {
    @Test func rawSamplesComeBackPerMinerOldestFirst() throws {
        let store = try SQLiteStore.inMemory()
        try store.recordTelemetry([
            sample("10.0.0.1", t0 + 10, mode: .sleep, powerW: 40),
            sample("10.0.0.2", t0 + 5, powerW: 3000),
            sample("10.0.0.1", t0, powerW: 3100, hashrateTHs: 200, temperatureC: 71.5),
            TelemetrySample(address: "10.0.0.1", at: t0 + 20, reachable: false, mode: .unknown, error: "timed out"),
        ])
        let samples = try store.telemetry(address: "10.0.0.1", from: t0, to: t0 + 20)
        #expect(samples.map(\.at) == [t0, t0 + 10], "at in [from, to)")
        #expect(samples[0] == sample("10.0.0.1", t0, powerW: 3100, hashrateTHs: 200, temperatureC: 71.5))
        #expect(samples[1].mode == .sleep)
        let unreachable = try store.telemetry(address: "10.0.0.1", from: t0 + 20, to: t0 + 21)
        #expect(unreachable.map(\.error) == ["timed out"])
        #expect(unreachable.map(\.reachable) == [false])
    }

    @Test func batchesLongerThanOneStatementKeepEverySample() throws {
        let store = try SQLiteStore.inMemory()
        let count = SQLiteStore.telemetryRowsPerStatement * 2 + 37
        let samples = (0..<count).map { i in sample("10.0.0.1", t0 + Double(i), powerW: Double(i)) }
        try store.recordTelemetry(samples.reversed())
        #expect(try store.telemetry(address: "10.0.0.1", from: t0, to: t0 + Double(count)) == samples)
    }

    @Test func downsampleFoldsIntoExactBucketsAndMerges() throws {
        let store = try SQLiteStore.inMemory()
        try store.recordTelemetry([
            sample("10.0.0.1", t0, powerW: 3000, hashrateTHs: 200, temperatureC: 70),
            sample("10.0.0.1", t0 + 10, powerW: 3500, temperatureC: 75),
            TelemetrySample(address: "10.0.0.1", at: t0 + 20, reachable: false, mode: .unknown),
            sample("10.0.0.1", t0 + 310, mode: .sleep, powerW: 100),
            sample("10.0.0.1", t0 + 350, powerW: 9999),
            sample("10.0.0.2", t0 + 1, powerW: 2000),
        ])
        let now = t0 + 400
        #expect(try store.downsample(now: now, rawWindow: 60, bucket: 300, keep: 86_400) == 5)
        #expect(try store.telemetry(address: "10.0.0.1", from: t0 - 1000, to: now).map(\.at) == [t0 + 350], "folded rows are deleted")

        var buckets = try store.telemetryBuckets(address: "10.0.0.1", from: t0, to: now)
        #expect(buckets == [
            TelemetryBucket(
                address: "10.0.0.1", bucketStart: t0, samples: 3, reachableShare: 2.0 / 3.0, meanPowerW: 3250, meanHashrateTHs: 200,
                maxChipTemperatureC: 75, lastMode: .unknown),
            TelemetryBucket(
                address: "10.0.0.1", bucketStart: t0 + 300, samples: 1, reachableShare: 1, meanPowerW: 100, meanHashrateTHs: nil,
                maxChipTemperatureC: nil, lastMode: .sleep),
        ])
        #expect(try store.telemetryBuckets(address: "10.0.0.2", from: t0, to: now).map(\.meanPowerW) == [2000])

        // Late samples of the first bucket: one newer than its newest, one older.
        try store.recordTelemetry([
            sample("10.0.0.1", t0 + 250, mode: .lowPower, powerW: 4000, hashrateTHs: 300, temperatureC: 80),
            sample("10.0.0.1", t0 + 5, mode: .sleep, powerW: 2000),
        ])
        #expect(try store.downsample(now: now, rawWindow: 60, bucket: 300, keep: 86_400) == 2)
        buckets = try store.telemetryBuckets(address: "10.0.0.1", from: t0, to: t0 + 1)
        #expect(buckets == [
            TelemetryBucket(
                address: "10.0.0.1", bucketStart: t0, samples: 5, reachableShare: 0.8, meanPowerW: 3125, meanHashrateTHs: 250,
                maxChipTemperatureC: 80, lastMode: .lowPower),
        ])

        #expect(try store.downsample(now: now, rawWindow: 60, bucket: 300, keep: 200) == 0)
        #expect(try store.telemetryBuckets(address: "10.0.0.1", from: t0, to: now).map(\.bucketStart) == [t0 + 300], "buckets older than keep go")
        #expect(try store.telemetryBuckets(address: "10.0.0.2", from: t0, to: now).isEmpty)
    }

    @Test func bucketsAlignToMultiplesOfTheBucketSince1970() throws {
        let store = try SQLiteStore.inMemory()
        try store.recordTelemetry([sample("10.0.0.1", t0 + 3599.5, powerW: 1)])
        try store.downsample(now: t0 + 7200, rawWindow: 0, bucket: 3600, keep: 86_400)
        let start = try #require(store.telemetryBuckets(address: "10.0.0.1", from: t0 - 7200, to: t0 + 7200).first?.bucketStart)
        #expect(start.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 0)
        #expect(start <= t0 + 3599.5 && t0 + 3599.5 < start + 3600)
    }

    @Test func recordingAndFoldingAThousandMinersIsQuick() throws {
        let folder = try TemporaryStoreFolder()
        let store = try SQLiteStore(path: folder.storePath)
        var timings: [Duration] = []
        for round in 0..<10 {
            let at = t0 + Double(round) * 5
            let batch = (0..<1000).map { i in
                sample("10.0.\(i / 250).\(i % 250)", at, powerW: 3000 + Double(i), hashrateTHs: 200, temperatureC: 70)
            }
            let clock = ContinuousClock()
            timings.append(try clock.measure { try store.recordTelemetry(batch) })
        }
        let rows = try store.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM telemetry_raw") }
        #expect(rows == 10_000)
        // Five minutes of a thousand miners polled every 5 s, folded at once.
        for round in 10..<60 {
            let at = t0 + Double(round) * 5
            try store.recordTelemetry((0..<1000).map { i in sample("10.0.\(i / 250).\(i % 250)", at, powerW: 3000) })
        }
        var folded = 0
        let fold = try ContinuousClock().measure {
            folded = try store.downsample(now: t0 + 86_400, rawWindow: 3600, bucket: 300, keep: 90 * 86_400)
        }
        #expect(folded == 60_000)
        #expect(try store.telemetryBuckets(address: "10.0.0.7", from: t0, to: t0 + 300).map(\.samples) == [60])
        print("downsample of 60,000 raw rows (1,000 miners, 5 minutes): \(fold)")
        var single: [Duration] = []
        for round in 0..<10 {
            let one = [sample("10.9.9.9", t0 + Double(round), powerW: 1)]
            single.append(try ContinuousClock().measure { try store.recordTelemetry(one) })
        }
        let sorted = timings.sorted()
        print(
            "recordTelemetry, 1,000 samples per transaction (file, WAL): median \(sorted[sorted.count / 2]), worst \(sorted.last!);",
            "1 sample (the commit alone): median \(single.sorted()[single.count / 2])")
    }
}

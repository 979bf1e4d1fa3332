import Foundation

/// The reports a VTN asked for and when each is due, as a value: sample every `granularity`,
/// send what was sampled every `reportBackDuration`, only inside the request's report interval.
struct ReportSchedule: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var request: OpenADRReportRequest
        /// Seconds between samples and between sends, after the floor.
        var samplePeriod: TimeInterval
        var sendPeriod: TimeInterval
        var nextSample: Date
        var nextSend: Date
        /// When reporting stops (the end of the report interval), if ever.
        var end: Date?
        /// Values sampled since the last send.
        var pending: [OpenADRReportValue] = []
    }

    /// The shortest period the VEN honours, so a request of PT0S cannot make it spin.
    var minimumPeriod: TimeInterval
    private(set) var entries: [Entry] = []

    init(minimumPeriod: TimeInterval) {
        self.minimumPeriod = minimumPeriod
    }

    var requestIDs: [String] { entries.map(\.request.reportRequestID) }

    /// Adds a request, replacing one with the same reportRequestID. The first sample is one
    /// period after the report interval's start (or now, if later), the first send one report-back
    /// period after it.
    mutating func add(_ request: OpenADRReportRequest, at now: Date) {
        entries.removeAll { $0.request.reportRequestID == request.reportRequestID }
        let sample = max(request.granularity, minimumPeriod)
        // A report-back duration of 0 (or shorter than a sample) means: send each sample.
        let send = max(request.reportBackDuration, sample)
        let start = max(request.intervalStart ?? now, now)
        let end = request.intervalStart.flatMap { s in request.intervalDuration.flatMap { $0 > 0 ? s.addingTimeInterval($0) : nil } }
        entries.append(
            Entry(request: request, samplePeriod: sample, sendPeriod: send, nextSample: start.addingTimeInterval(sample), nextSend: start.addingTimeInterval(send), end: end))
    }

    mutating func cancel(_ reportRequestID: String) {
        entries.removeAll { $0.request.reportRequestID == reportRequestID }
    }

    mutating func removeAll() {
        entries.removeAll()
    }

    /// The earliest time something is due, or nil when nothing is scheduled.
    var nextDue: Date? {
        entries.map { min($0.nextSample, $0.nextSend) }.min()
    }

    /// The request IDs with a sample due at `now`.
    func samplesDue(at now: Date) -> [String] {
        entries.filter { $0.nextSample <= now }.map(\.request.reportRequestID)
    }

    /// Adds a sample to a request (only the points it asked for) and moves its next sample on.
    mutating func record(_ values: [String: Double], for reportRequestID: String, at now: Date) {
        guard let k = entries.firstIndex(where: { $0.request.reportRequestID == reportRequestID }) else { return }
        for point in entries[k].request.points {
            if let value = values[point.rID] {
                entries[k].pending.append(OpenADRReportValue(start: now, rID: point.rID, value: value))
            }
        }
        entries[k].nextSample = Self.advance(entries[k].nextSample, by: entries[k].samplePeriod, past: now)
    }

    /// Moves a request's next sample on without a value (the site had no reading).
    mutating func skipSample(for reportRequestID: String, at now: Date) {
        guard let k = entries.firstIndex(where: { $0.request.reportRequestID == reportRequestID }) else { return }
        entries[k].nextSample = Self.advance(entries[k].nextSample, by: entries[k].samplePeriod, past: now)
    }

    /// Takes the reports due at `now` (each with the values gathered since the last send) and
    /// drops requests whose report interval is over.
    mutating func takeReportsDue(at now: Date) -> [(request: OpenADRReportRequest, values: [OpenADRReportValue])] {
        var due: [(OpenADRReportRequest, [OpenADRReportValue])] = []
        for k in entries.indices where entries[k].nextSend <= now {
            if !entries[k].pending.isEmpty { due.append((entries[k].request, entries[k].pending)) }
            entries[k].pending = []
            entries[k].nextSend = Self.advance(entries[k].nextSend, by: entries[k].sendPeriod, past: now)
        }
        entries.removeAll { entry in entry.end.map { now >= $0 && entry.pending.isEmpty } ?? false }
        return due
    }

    /// Takes the named requests' values now, whatever their schedule (a last report before a
    /// cancellation).
    mutating func takeReports(_ ids: Set<String>) -> [(request: OpenADRReportRequest, values: [OpenADRReportValue])] {
        var taken: [(OpenADRReportRequest, [OpenADRReportValue])] = []
        for k in entries.indices where ids.contains(entries[k].request.reportRequestID) && !entries[k].pending.isEmpty {
            taken.append((entries[k].request, entries[k].pending))
            entries[k].pending = []
        }
        return taken
    }

    /// The next tick after `now` on the grid that starts at `from` (no burst of catch-up ticks
    /// after a stall).
    private static func advance(_ from: Date, by period: TimeInterval, past now: Date) -> Date {
        var next = from.addingTimeInterval(period)
        if next <= now {
            let behind = (now.timeIntervalSince(next) / period).rounded(.down) + 1
            next = next.addingTimeInterval(behind * period)
        }
        return next
    }
}

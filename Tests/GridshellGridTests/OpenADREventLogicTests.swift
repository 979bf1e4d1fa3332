import Foundation
import Testing

@testable import GridshellGrid

/// Event modifications and cancellations, report timing and event targets, without sockets.
@Suite("OpenADR event and report logic")
struct OpenADREventLogicTests {
    typealias S = OpenADRTestSupport
    let t0 = OpenADRTestSupport.start

    // MARK: EventBook

    @Test func newEventsNeedADecisionAndRepeatsDoNot() {
        var book = EventBook()
        let first = book.apply([S.simpleEvent(), S.dispatchEvent()], at: t0)
        #expect(first.toDecide.map(\.id) == ["evt-1", "evt-2"])
        #expect(first.changed)
        book.record(.optIn, for: "evt-1", modificationNumber: 0)
        book.record(.optOut, for: "evt-2", modificationNumber: 0)
        let again = book.apply([S.simpleEvent(), S.dispatchEvent()], at: t0 + 5)
        #expect(again == EventBook.Update())
        #expect(book.events.map(\.opt) == [.optIn, .optOut])
        #expect(book.responses(for: again, requestID: "r").isEmpty)
    }

    @Test func aHigherModificationReplacesAndIsAnsweredAgain() throws {
        var book = EventBook()
        _ = book.apply([S.simpleEvent(level: 2)], at: t0)
        book.record(.optIn, for: "evt-1", modificationNumber: 0)
        let update = book.apply([S.simpleEvent(modification: 1, level: 3)], at: t0 + 10)
        #expect(update.toDecide.map(\.modificationNumber) == [1])
        let held = try #require(book.event(id: "evt-1"))
        #expect(held.event.signals[0].intervals[0].value == 3)
        #expect(held.optModificationNumber == 0)
        #expect(held.receivedAt == t0 + 10)
        // An answer for an older modification is not taken for the new one.
        book.record(.optOut, for: "evt-1", modificationNumber: 0)
        #expect(book.event(id: "evt-1")?.opt == .optIn)
        book.record(.optOut, for: "evt-1", modificationNumber: 1)
        #expect(book.event(id: "evt-1")?.opt == .optOut)
        #expect(book.responses(for: update, requestID: "dist-2") == [.init(requestID: "dist-2", eventID: "evt-1", modificationNumber: 1, opt: .optOut)])
    }

    @Test func aLowerModificationIsStaleAndChangesNothing() {
        var book = EventBook()
        _ = book.apply([S.simpleEvent(modification: 4, level: 1)], at: t0)
        let before = book
        let update = book.apply([S.simpleEvent(modification: 3, level: 3)], at: t0 + 1)
        #expect(update.stale.map(\.modificationNumber) == [3])
        #expect(!update.changed && update.toDecide.isEmpty)
        #expect(book == before)
    }

    @Test func statusMovesWithoutADecision() {
        var book = EventBook()
        _ = book.apply([S.simpleEvent(status: .far)], at: t0)
        book.record(.optIn, for: "evt-1", modificationNumber: 0)
        let update = book.apply([S.simpleEvent(status: .active)], at: t0 + 60)
        #expect(update.changed && update.toDecide.isEmpty)
        #expect(book.event(id: "evt-1")?.event.status == .active)
        #expect(book.event(id: "evt-1")?.isInForce == true)
        _ = book.apply([S.simpleEvent(status: .completed)], at: t0 + 7_200)
        #expect(book.event(id: "evt-1")?.isInForce == false)
    }

    @Test func cancellationKeepsTheAnswerAndIsAcknowledged() {
        var book = EventBook()
        _ = book.apply([S.simpleEvent()], at: t0)
        book.record(.optIn, for: "evt-1", modificationNumber: 0)
        let update = book.apply([S.simpleEvent(modification: 1, status: .cancelled)], at: t0 + 30)
        #expect(update.cancelled.map(\.id) == ["evt-1"] && update.toDecide.isEmpty)
        #expect(book.event(id: "evt-1")?.isCancelled == true)
        #expect(book.event(id: "evt-1")?.isInForce == false)
        #expect(book.responses(for: update, requestID: "d") == [.init(requestID: "d", eventID: "evt-1", modificationNumber: 1, opt: .optIn)])
        // Gone from the next list: removed.
        let gone = book.apply([], at: t0 + 60)
        #expect(gone.removed.map(\.id) == ["evt-1"] && book.events.isEmpty)
    }

    @Test func anEventFirstSeenCancelledIsDeclinedWithoutAsking() {
        var book = EventBook()
        let update = book.apply([S.simpleEvent(status: .cancelled)], at: t0)
        #expect(update.toDecide.isEmpty)
        #expect(book.responses(for: update, requestID: "d").map(\.opt) == [.optOut])
    }

    @Test func theHighestCopyInOneMessageWinsAndNeverMeansNoAnswer() {
        var book = EventBook()
        let update = book.apply(
            [S.simpleEvent(modification: 1, level: 1), S.simpleEvent(modification: 2, level: 3), S.simpleEvent(id: "quiet", responseRequired: .never)], at: t0)
        #expect(update.toDecide.map(\.id) == ["evt-1", "quiet"])
        #expect(book.event(id: "evt-1")?.event.modificationNumber == 2)
        book.record(.optIn, for: "evt-1", modificationNumber: 2)
        book.record(.optIn, for: "quiet", modificationNumber: 0)
        #expect(book.responses(for: update, requestID: "d").map(\.eventID) == ["evt-1"])
    }

    @Test func theStatusAndTargetsTravelAsJSON() throws {
        let status = OpenADRVENStatus(
            isRegistered: true, vtnID: "vtn", venID: "ven", registrationID: "reg", pollInterval: 10, lastPoll: t0, lastError: .init(at: t0, message: "x"),
            events: [.init(event: S.priceEvent(), opt: .optOut, optModificationNumber: 0, receivedAt: t0), .init(event: S.dispatchEvent(), receivedAt: t0)],
            reportRequestIDs: ["rr-1"], reportsSent: 3, messagesRefused: 1)
        let back = try JSONDecoder().decode(OpenADRVENStatus.self, from: JSONEncoder().encode(status))
        #expect(back == status)
        let targets = DemandResponseTargets(simpleLevels: [1: .megawatts(3), 2: .reductionMW(4)])
        #expect(try JSONDecoder().decode(DemandResponseTargets.self, from: JSONEncoder().encode(targets)) == targets)
    }

    // MARK: ReportSchedule

    @Test func samplesEveryGranularityAndSendsEveryReportBack() {
        var schedule = ReportSchedule(minimumPeriod: 1)
        var request = S.reportRequest
        request.intervalStart = nil
        schedule.add(request, at: t0)
        #expect(schedule.nextDue == t0 + 60)
        var sent: [[OpenADRReportValue]] = []
        for minute in 1...10 {
            let now = t0 + Double(minute) * 60
            for id in schedule.samplesDue(at: now) {
                schedule.record(["site_power": Double(minute), "curtailable_power": 0.5, "other": 9], for: id, at: now)
            }
            sent += schedule.takeReportsDue(at: now).map(\.values)
        }
        #expect(sent.count == 2)
        #expect(sent[0].filter { $0.rID == "site_power" }.map(\.value) == [1, 2, 3, 4, 5])
        #expect(sent[1].filter { $0.rID == "site_power" }.map(\.value) == [6, 7, 8, 9, 10])
        #expect(sent[0].allSatisfy { $0.rID != "other" })
    }

    @Test func aStallDoesNotBurstAndTheIntervalEndStopsReporting() {
        var schedule = ReportSchedule(minimumPeriod: 1)
        schedule.add(S.reportRequest, at: t0)  // interval t0 ..< t0 + 1 h
        schedule.record(["site_power": 1], for: "rr-1", at: t0 + 3_000)
        #expect(schedule.entries[0].nextSample == t0 + 3_060)
        _ = schedule.takeReportsDue(at: t0 + 3_000)
        #expect(schedule.entries[0].nextSend == t0 + 3_300)
        #expect(schedule.takeReportsDue(at: t0 + 3_600).isEmpty)
        #expect(schedule.entries.isEmpty)
    }

    @Test func zeroPeriodsAreFlooredAndCancelledRequestsFlushOnce() {
        var schedule = ReportSchedule(minimumPeriod: 5)
        schedule.add(.init(reportRequestID: "fast", reportSpecifierID: "s", granularity: 0, reportBackDuration: 0, points: [.init(rID: "site_power", readingType: "x")]), at: t0)
        #expect(schedule.entries[0].samplePeriod == 5 && schedule.entries[0].sendPeriod == 5)
        schedule.record(["site_power": 3], for: "fast", at: t0 + 5)
        #expect(schedule.takeReports(["fast"]).map(\.values.count) == [1])
        #expect(schedule.takeReports(["fast"]).isEmpty)
        schedule.cancel("fast")
        #expect(schedule.nextDue == nil)
    }

    // MARK: Targets

    @Test func simpleLevelsFollowTheTable() {
        let targets = DemandResponseTargets(simpleLevels: [0: .unrestricted, 1: .reductionMW(5), 2: .fractionOfBaseline(0.5), 3: .megawatts(2)])
        let inside = t0 + 60
        #expect(targets.target(for: S.simpleEvent(level: 0), baselineMW: 40, at: inside) == nil)
        #expect(targets.target(for: S.simpleEvent(level: 1), baselineMW: 40, at: inside) == 35)
        #expect(targets.target(for: S.simpleEvent(level: 2), baselineMW: 40, at: inside) == 20)
        #expect(targets.target(for: S.simpleEvent(level: 3), baselineMW: 40, at: inside) == 2)
        #expect(targets.target(for: S.simpleEvent(level: 1), baselineMW: 3, at: inside) == 0)
        // Outside the active period, or cancelled: no target.
        #expect(targets.target(for: S.simpleEvent(level: 3), baselineMW: 40, at: t0 - 1) == nil)
        #expect(targets.target(for: S.simpleEvent(level: 3), baselineMW: 40, at: t0 + 7_200) == nil)
        #expect(targets.target(for: S.simpleEvent(level: 3, status: .cancelled), baselineMW: 40, at: inside) == nil)
        #expect(DemandResponseTargets().target(for: S.simpleEvent(level: 2), baselineMW: 40, at: inside) == 20)
    }

    @Test func loadDispatchSetpointsAndDeltasInTheirUnits() {
        let targets = DemandResponseTargets()
        let setpoint = S.dispatchEvent(setpoints: [12.5, 10])
        #expect(targets.target(for: setpoint, baselineMW: 40, at: t0) == 12.5)
        #expect(targets.target(for: setpoint, baselineMW: 40, at: t0 + 899) == 12.5)
        #expect(targets.target(for: setpoint, baselineMW: 40, at: t0 + 900) == 10)
        #expect(targets.target(for: setpoint, baselineMW: 40, at: t0 + 1_800) == nil)
        let kilowatts = S.dispatchEvent(setpoints: [8_000], scale: "k")
        #expect(targets.target(for: kilowatts, baselineMW: 40, at: t0) == 8)
        let delta = S.dispatchEvent(setpoints: [15], kind: .delta)
        #expect(targets.target(for: delta, baselineMW: 40, at: t0) == 25)
        var unitless = S.dispatchEvent(setpoints: [4_000])
        unitless.signals[0].unit = nil
        #expect(DemandResponseTargets(defaultLoadDispatchMWPerUnit: 0.001).target(for: unitless, baselineMW: 40, at: t0) == 4)
        #expect(targets.target(for: S.priceEvent(), baselineMW: 40, at: t0) == nil)
    }

    @Test func theLowestTargetAmongEventsTheSiteIsInWins() {
        let targets = DemandResponseTargets()
        let events = [
            OpenADRTrackedEvent(event: S.simpleEvent(level: 2), opt: .optIn, receivedAt: t0),
            OpenADRTrackedEvent(event: S.dispatchEvent(setpoints: [12.5, 10]), opt: .optIn, receivedAt: t0),
            OpenADRTrackedEvent(event: S.simpleEvent(id: "declined", level: 3), opt: .optOut, receivedAt: t0),
        ]
        #expect(targets.target(for: events, baselineMW: 40, at: t0 + 60) == 12.5)
        #expect(targets.target(for: events, baselineMW: 16, at: t0 + 60) == 8)
        #expect(targets.target(for: events, baselineMW: 40, at: t0 + 1_900) == 20)
        #expect(targets.target(for: [], baselineMW: 40, at: t0) == nil)
    }
}

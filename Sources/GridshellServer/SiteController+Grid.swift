import Foundation
import GridshellCore
import GridshellDispatch
import GridshellStore

/// A promise to the grid the plan must keep: site power at most `targetMW` from `start` to `end`
/// (site time), e.g. one interval of an OpenADR event the site opted into.
public struct GridCommitment: Sendable, Equatable, Codable {
    public var id: String
    public var kind: String
    public var start: Date
    public var end: Date
    public var targetMW: Double
    /// Paid per MWh below the baseline while it holds.
    public var creditUSDPerMWh: Double
    public var source: String
    public var detail: String

    public init(id: String, kind: String, start: Date, end: Date, targetMW: Double, creditUSDPerMWh: Double, source: String, detail: String) {
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.targetMW = targetMW
        self.creditUSDPerMWh = creditUSDPerMWh
        self.source = source
        self.detail = detail
    }

    func holds(at siteTime: Date) -> Bool { start <= siteTime && siteTime < end }
}

/// What the site reads of itself for the grid operator: its power now and what it could shed.
public struct SiteReading: Sendable, Equatable, Codable {
    public var sitePowerMW: Double
    public var curtailableMW: Double
    /// Firm AI power, which is shed only in an emergency.
    public var firmMW: Double
}

extension SiteController {
    /// The grid's commitments as they now stand (the whole set): recorded as grid events, held
    /// by every decision while they last, credited in the ledger, and the plan remade at once.
    public func setGridCommitments(_ list: [GridCommitment], at wall: Date = Date()) async {
        guard list != commitments else { return }
        let before = Dictionary(commitments.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        commitments = list.sorted { $0.start < $1.start }
        for c in commitments where before[c.id] != c {
            try? store.recordGridEvent(GridEventRecord(
                id: c.id, kind: c.kind, start: c.start, end: c.end, targetMW: c.targetMW, source: c.source, receivedAt: wall, detail: c.detail))
        }
        // A commitment withdrawn (the event cancelled) ends now in the record.
        let now = clock.siteTime(wall)
        for (id, old) in before where !list.contains(where: { $0.id == id }) && old.end > now {
            try? store.recordGridEvent(GridEventRecord(
                id: id, kind: old.kind, start: old.start, end: max(old.start, now), targetMW: old.targetMW, source: old.source, receivedAt: wall,
                detail: old.detail + " (withdrawn)"))
        }
        dispatcher.setEvents(commitments.map { DemandResponseEvent(start: $0.start, end: $0.end, targetMW: $0.targetMW, creditUSDPerMWh: $0.creditUSDPerMWh) })
        logger.notice("grid commitments changed", metadata: ["gridshell.commitments": "\(commitments.map { "\($0.id) ≤ \($0.targetMW) MW \($0.start)–\($0.end)" })"])
        // Replanned and acted on at once, off the caller's path (the VEN goes back to its VTN).
        if decision != nil { replanFor = "event" }
        Task { await self.tick(now: Date()) }
    }

    /// The grid operator deploys an ancillary award: the site drops `mw` below where it stands
    /// now, at once, for `minutes` of site time. Returns the commitment.
    public func deploy(_ award: AncillaryAward, mw: Double, minutes: Double, by who: String, at wall: Date = Date()) async -> GridCommitment {
        let now = clock.siteTime(wall)
        let standing = plan?.siteMW ?? reading?.sitePowerMW ?? live.site.interconnectMW
        let stamp = Int(now.timeIntervalSince1970)
        let c = GridCommitment(
            id: "deploy-\(award.product.rawValue)-\(stamp)", kind: "ancillary-deployment", start: now, end: now.addingTimeInterval(minutes * 60),
            targetMW: max(0, standing - mw), creditUSDPerMWh: 0, source: "operator:\(who)",
            detail: String(format: "%@ deployment of %.3f MW (award %.3f MW), respond within %.0f s", award.product.rawValue, mw, award.mw, award.responseSeconds))
        await setGridCommitments(commitments + [c], at: wall)
        return c
    }

    /// The commitments in force at `siteTime` applied to a decision, with the reasons to show.
    func applyCommitments(to c: inout OnlineDispatcher.Constraints, siteNow: Date) -> [String] {
        var reasons: [String] = []
        for k in commitments where k.holds(at: siteNow) {
            c.capMW = min(c.capMW ?? .infinity, k.targetMW)
            if k.kind == "ancillary-deployment" { c.awardDeployed = true }
            reasons.append(String(format: "Grid event %@: site held at or under %.2f MW until %@.", k.id, k.targetMW, ISO8601DateFormatter().string(from: k.end)))
        }
        return reasons
    }

    /// Whether a commitment began or ended since the decision in force was made.
    func commitmentBoundaryPassed(since: Date?, siteNow: Date) -> Bool {
        guard let since else { return false }
        return commitments.contains { ($0.start > since && $0.start <= siteNow) || ($0.end > since && $0.end <= siteNow) }
    }

    /// The grid commitments, for the API.
    public var gridCommitments: [GridCommitment] { commitments }

    /// The site now, from the plan and the fleet's own telemetry (read from the published
    /// snapshot, so a busy controller never holds up a report).
    public nonisolated var reading: SiteReading? {
        // Nothing to report before the fleet's first sweep: its power is not known yet.
        guard let s = board.snapshot, s.miners["unknown", default: 0] < binding.addresses.count else { return nil }
        let mining = s.power.measuredMiningMW
        let firm = max(0, s.power.firmAIMW)
        return SiteReading(sitePowerMW: firm + s.power.flexibleAIMW + mining, curtailableMW: mining + s.power.flexibleAIMW, firmMW: firm)
    }

    /// Whether the site can hold `targetMW` without shedding firm AI: firm AI plus what every
    /// flexible load still draws at its lowest (a sleeping miner's controller and fans).
    public nonisolated func canHold(_ targetMW: Double) -> Bool {
        let site = live.dispatchSite
        return targetMW + 1e-9 >= site.firmMW + site.loads.reduce(0) { $0 + $1.floorMW }
    }
}

import Foundation
import GridshellCompute
import GridshellCore
import GridshellDispatch
import GridshellStore
import Logging
import ServiceLifecycle

/// Carries the AI side of each plan out through the scheduler and the GPU power agents: a
/// capped job's GPUs are held to its cap, a paused flex-3 or batch job is asked to checkpoint and
/// is requeued (which frees its GPUs), and inference is capped only when the plan sheds firm load.
/// Lowering is immediate; raising goes in stages so the site does not surge.
///
/// Scheduler jobs are matched to the site file's jobs by name.
public actor ComputeActuator {
    public struct Settings: Sendable, Equatable {
        /// How long a job has to write its checkpoint before it is requeued.
        public var checkpointGraceSeconds: Double
        /// A cap rises by at most this share of full power per stage.
        public var rampStepFraction: Double
        /// Wall seconds between stages of a ramp back up (one released job per stage too).
        public var rampStepSeconds: Double
        public init(checkpointGraceSeconds: Double = 30, rampStepFraction: Double = 0.1, rampStepSeconds: Double = 60) {
            self.checkpointGraceSeconds = checkpointGraceSeconds
            self.rampStepFraction = rampStepFraction
            self.rampStepSeconds = rampStepSeconds
        }
    }

    /// What the plan asks of one site job.
    public enum Target: Sendable, Equatable {
        case full
        /// Each GPU at this fraction of its full power.
        case cap(Double)
        /// Checkpoint and requeue; held until the plan wants it back.
        case pause
    }

    /// One thing done to the scheduler or the GPUs.
    public struct Action: Sendable, Codable, Equatable {
        public var at: Date
        /// The site file's job, and the scheduler's job id.
        public var job: String
        public var schedulerJob: String
        /// `cap`, `uncap`, `checkpoint`, `requeue`, `hold`, `release`.
        public var kind: String
        public var detail: String
        public var error: String?
    }

    let cluster: any ComputeCluster
    let agents: [GPUPowerAgent]
    let site: DispatchSite
    public let settings: Settings
    let logger: Logger
    /// Cap fraction applied per scheduler job (absent: full power).
    private var applied: [ComputeJob.ID: Double] = [:]
    /// Scheduler jobs Gridshell checkpointed and holds.
    private var paused: Set<ComputeJob.ID> = []
    private var lastRaise = Date.distantPast
    /// Throughput lost per scheduler job, as (when, hours at full throughput lost since the last
    /// apply), over the SLA window.
    private var losses: [ComputeJob.ID: [Memory.Loss]] = [:]
    private var lastApply: Date?
    /// The window a job's tolerated slowdown is measured over.
    public static let slaWindowSeconds = 24 * 3600.0
    public private(set) var actions: [Action] = []
    public private(set) var jobs: [ComputeJob] = []
    public private(set) var lastError: String?

    public init(cluster: any ComputeCluster, agents: [GPUPowerAgent], site: DispatchSite, settings: Settings = Settings(), logger: Logger = Logger(label: "gridshell.compute")) {
        self.cluster = cluster
        self.agents = agents
        self.site = site
        self.settings = settings
        self.logger = logger
    }

    /// What the actuator must keep across a restart: the caps it applied, the jobs it holds (no
    /// one else would release them) and the throughput each job lost over the SLA window.
    public struct Memory: Sendable, Codable, Equatable {
        public struct Loss: Sendable, Codable, Equatable {
            public var at: Date
            /// Hours at full throughput lost.
            public var hours: Double
        }
        public var applied: [ComputeJob.ID: Double]
        public var paused: [ComputeJob.ID]
        public var losses: [ComputeJob.ID: [Loss]]
        public var lastApply: Date?
        public var lastRaise: Date?
    }

    public var memory: Memory {
        Memory(
            applied: applied, paused: paused.sorted(), losses: losses, lastApply: lastApply,
            lastRaise: lastRaise == .distantPast ? nil : lastRaise)
    }

    /// Takes up what an earlier run of the actuator left.
    public func restore(_ memory: Memory) {
        applied = memory.applied.filter { $0.value > 0 && $0.value < 1 }
        paused = Set(memory.paused)
        losses = memory.losses
        lastApply = memory.lastApply
        lastRaise = memory.lastRaise ?? .distantPast
    }

    /// What the plan's `level` for load `i` asks of its job.
    public nonisolated func target(load i: Int, level: Double) -> Target? {
        let load = site.loads[i]
        guard case .job(let c, let j) = load.kind else { return nil }
        let job = site.site.gpuClusters[c].jobs[j]
        let system = site.site.gpuClusters[c].system
        if load.hull[0].relative == 0, level < 1 - 1e-9 {
            // Time-sharing between paused and the lowest cap: pause when it is mostly paused.
            if level <= 0.5 { return .pause }
            return .cap(Self.capFraction(powerMW: load.hull[1].powerMW, job: job, system: system, pue: site.site.cooling.ai))
        }
        let f = Self.capFraction(powerMW: load.powerMW(level: level), job: job, system: system, pue: site.site.cooling.ai)
        return f >= 0.999 ? .full : .cap(f)
    }

    /// The GPU cap that makes a job draw `powerMW` at the meter.
    static func capFraction(powerMW: Double, job: AIJob, system: GPUSystem, pue: Double) -> Double {
        let perGPUOverheadW = system.overheadW / Double(system.gpusPerSystem)
        let perGPUW = powerMW * 1e6 / (Double(job.gpus) * pue) - perGPUOverheadW
        return min(max(perGPUW / system.gpuMaxPowerW, system.minCapFraction), 1)
    }

    /// Brings the scheduler and the GPUs to the plan's `levels`. With `emergency` (the plan sheds
    /// firm load) inference is capped to its floor too. Returns what was done.
    @discardableResult
    public func apply(levels: [Double], emergency: Bool, now: Date = Date()) async -> [Action] {
        do {
            jobs = try await cluster.jobs()
            lastError = nil
        } catch {
            lastError = "\(error)"
            logger.error("scheduler unreachable; the AI side keeps its last settings", metadata: ["gridshell.error": "\(error)"])
            return []
        }
        account(now: now)
        // A cap published in the scheduler that this run does not know (its memory was lost)
        // is taken as applied, so the ramp back lifts it.
        for job in jobs where applied[job.id] == nil && !paused.contains(job.id) {
            if let f = job.publishedCap, f < 1 { applied[job.id] = f }
        }
        var done: [Action] = []
        var pauses: [(String, ComputeJob)] = []
        var releases: [(String, ComputeJob)] = []
        let canRaise = now.timeIntervalSince(lastRaise) >= settings.rampStepSeconds
        var raised = false
        for (i, level) in levels.enumerated() where i < site.loads.count {
            guard let target = target(load: i, level: level), case .job(let c, let j) = site.loads[i].kind else { continue }
            let name = site.site.gpuClusters[c].jobs[j].name
            for job in jobs where job.name == name {
                switch target {
                case .pause:
                    if job.state == .running || (job.state == .pending && !job.held) { pauses.append((name, job)) }
                case .full, .cap:
                    if paused.contains(job.id) {
                        releases.append((name, job))
                        continue
                    }
                    guard job.state == .running else { continue }
                    let wanted: Double = if case .cap(let f) = target { f } else { 1 }
                    guard let next = step(toward: wanted, job: job.id, canRaise: canRaise) else { continue }
                    if next.raises { raised = true }
                    done.append(await setCap(next.fraction, job: job, name: name, now: now))
                }
            }
        }
        // Inference gives way only when the plan sheds firm load.
        let inferenceNames = Set(site.site.gpuClusters.flatMap { $0.jobs.filter { $0.kind == .inference }.map(\.name) })
        for job in jobs where job.state == .running && inferenceNames.contains(job.name) {
            let floor = system(of: job.name)?.minCapFraction ?? 1
            guard let next = step(toward: emergency ? floor : 1, job: job.id, canRaise: canRaise) else { continue }
            if next.raises { raised = true }
            done.append(await setCap(next.fraction, job: job, name: job.name, now: now))
        }
        // Caps bind now, not at the agents' next pass.
        if !done.isEmpty { for agent in agents { await agent.tick() } }
        // Checkpoint and requeue after the caps: the cheaper step first.
        for (name, job) in pauses { done += await pause(job, name: name, now: now) }
        // One held job back per stage.
        if canRaise, let (name, job) = releases.first {
            do {
                try await cluster.release(job.id)
                paused.remove(job.id)
                done.append(Action(at: now, job: name, schedulerJob: job.id, kind: "release", detail: "back in the queue"))
            } catch {
                done.append(Action(at: now, job: name, schedulerJob: job.id, kind: "release", detail: "", error: "\(error)"))
            }
            raised = true
        }
        if raised { lastRaise = now }
        record(done)
        return done
    }

    /// Adds the throughput each job lost since the last apply (at its applied cap, or all of it
    /// while paused) and forgets what fell out of the window.
    private func account(now: Date) {
        defer { lastApply = now }
        guard let last = lastApply else { return }
        let hours = max(0, now.timeIntervalSince(last)) / 3600
        for job in jobs {
            var lost = 0.0
            if paused.contains(job.id) {
                lost = 1
            } else if let cap = applied[job.id], let system = system(of: job.name) {
                let curve = job.profile == .inference ? system.inferenceCurve : system.trainingCurve
                lost = 1 - curve.throughput(atPowerFraction: cap)
            }
            if lost > 0 { losses[job.id, default: []].append(.init(at: now, hours: lost * hours)) }
        }
        let floor = now.addingTimeInterval(-Self.slaWindowSeconds)
        for (id, list) in losses { losses[id] = list.filter { $0.at >= floor } }
    }

    func system(of jobName: String) -> GPUSystem? {
        site.site.gpuClusters.first { $0.jobs.contains { $0.name == jobName } }?.system
    }

    /// The site file's job a scheduler job of that name runs.
    func siteJob(named name: String) -> AIJob? {
        site.site.gpuClusters.lazy.flatMap(\.jobs).first { $0.name == name }
    }

    /// The next cap on the way to `wanted`: down at once, up one stage at a time (only when a
    /// stage is due); nil when there is nothing to change now.
    private func step(toward wanted: Double, job: ComputeJob.ID, canRaise: Bool) -> (fraction: Double, raises: Bool)? {
        let current = applied[job] ?? 1
        if wanted < current - 1e-6 { return (wanted, false) }
        guard wanted > current + 1e-6, canRaise else { return nil }
        return (min(wanted, current + settings.rampStepFraction), true)
    }

    private func setCap(_ fraction: Double, job: ComputeJob, name: String, now: Date) async -> Action {
        let lifted = fraction >= 1 - 1e-6
        do {
            // Published in the scheduler too, for the agents on the job's other nodes.
            if let board = cluster as? any ComputeCapBoard { try await board.publishCap(lifted ? nil : fraction, job: job) }
            for agent in agents {
                if lifted { await agent.clearCap(job: job.id) } else { try await agent.setCap(.fraction(fraction), job: job.id) }
            }
            applied[job.id] = lifted ? nil : fraction
            return Action(
                at: now, job: name, schedulerJob: job.id, kind: lifted ? "uncap" : "cap",
                detail: String(format: "GPUs at %.0f %% of full power", fraction * 100))
        } catch {
            return Action(at: now, job: name, schedulerJob: job.id, kind: "cap", detail: "", error: "\(error)")
        }
    }

    /// Checkpoint, then requeue held (which frees the GPUs); a pending job is only held.
    private func pause(_ job: ComputeJob, name: String, now: Date) async -> [Action] {
        var out: [Action] = []
        do {
            if job.state == .pending {
                try await cluster.hold(job.id)
                paused.insert(job.id)
                return [Action(at: now, job: name, schedulerJob: job.id, kind: "hold", detail: "kept from starting")]
            }
            let outcome = try await cluster.signalCheckpoint(job.id, graceSeconds: settings.checkpointGraceSeconds)
            out.append(Action(at: Date(), job: name, schedulerJob: job.id, kind: "checkpoint", detail: "\(outcome)"))
            switch outcome {
            case .stillRunning:
                try await cluster.requeue(job.id, hold: true)
                out.append(Action(at: Date(), job: name, schedulerJob: job.id, kind: "requeue", detail: "requeued and held; its GPUs are free"))
            case .stopped(let state):
                if state == .pending { try await cluster.hold(job.id) }
                out.append(Action(at: Date(), job: name, schedulerJob: job.id, kind: "hold", detail: "stopped by itself (\(state.rawValue)); held"))
            }
            paused.insert(job.id)
            applied[job.id] = nil
            for agent in agents { await agent.clearCap(job: job.id) }
            if let board = cluster as? any ComputeCapBoard { try? await board.publishCap(nil, job: job) }
        } catch {
            out.append(Action(at: Date(), job: name, schedulerJob: job.id, kind: "requeue", detail: "", error: "\(error)"))
        }
        return out
    }

    private func record(_ done: [Action]) {
        for a in done {
            if let e = a.error {
                logger.error("AI-side action failed", metadata: ["gridshell.job": "\(a.job)", "gridshell.action": "\(a.kind)", "gridshell.error": "\(e)"])
            } else {
                logger.notice("AI-side action", metadata: ["gridshell.job": "\(a.job)", "gridshell.slurm.job": "\(a.schedulerJob)", "gridshell.action": "\(a.kind)", "gridshell.detail": "\(a.detail)"])
            }
        }
        actions += done
        if actions.count > 500 { actions.removeFirst(actions.count - 500) }
    }

    /// GPU power per node and per job as the agents last read it, stamped `at`.
    public func powerRecords(at: Date) async -> [GPUPowerRecord] {
        var rows: [GPUPowerRecord] = []
        let names = Dictionary(jobs.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        for agent in agents {
            guard let s = await agent.latest else { continue }
            rows.append(GPUPowerRecord(at: at, node: s.node, drawW: s.nodeDrawW))
            for (id, j) in s.jobs.sorted(by: { $0.key < $1.key }) {
                rows.append(GPUPowerRecord(at: at, node: s.node, job: id, jobName: names[id] ?? "", drawW: j.drawW, capFraction: applied[id]))
            }
        }
        return rows
    }

    /// The AI side now: the scheduler's jobs with the cap each is held to and its GPUs' power.
    public func status() async -> ComputeStatus {
        var power: [ComputeJob.ID: Double] = [:]
        var nodes: [ComputeStatus.Node] = []
        for agent in agents {
            guard let s = await agent.latest else { continue }
            nodes.append(ComputeStatus.Node(name: s.node, gpuPowerW: s.nodeDrawW, gpus: s.gpus.count, problems: s.problems))
            for (id, j) in s.jobs { power[id, default: 0] += j.drawW }
        }
        let list = jobs.map { j in
            // The tier's tolerated slowdown over the window, in hours at full throughput.
            let budget = AIJob.tierSlowdown[min(max(j.flexTier, 0), 3)] * Self.slaWindowSeconds / 3600
            let used = losses[j.id, default: []].reduce(0) { $0 + $1.hours }
            let value = siteJob(named: j.name)?.valueUSDPerGPUHour ?? 0
            let lostGPUHours = used * Double(j.gpuCount)
            return ComputeStatus.Job(
                id: j.id, name: j.name, partition: j.partition, state: j.state.rawValue, held: j.held, flexTier: j.flexTier, profile: j.profile.rawValue,
                gpus: j.gpuCount, nodes: j.nodes, capFraction: applied[j.id], pausedByGridshell: paused.contains(j.id), gpuPowerW: power[j.id],
                slaBudgetHours: budget, slaBudgetLeftHours: budget - used, throughputLostGPUHours: lostGPUHours, throughputLostUSD: lostGPUHours * value)
        }
        return ComputeStatus(jobs: list, nodes: nodes, recentActions: Array(actions.suffix(50)), lastError: lastError)
    }
}

/// The AI side as the API shows it.
public struct ComputeStatus: Sendable, Codable, Equatable {
    public struct Job: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var partition: String
        public var state: String
        public var held: Bool
        public var flexTier: Int
        public var profile: String
        public var gpus: Int
        public var nodes: [String]
        /// The cap Gridshell holds its GPUs to, as a fraction of full power (nil: none).
        public var capFraction: Double?
        public var pausedByGridshell: Bool
        public var gpuPowerW: Double?
        /// The throughput loss the job's tier tolerates over the last 24 h, in hours at full
        /// throughput (flex 2: 25 % of 24 h = 6 h), and what is left of it after the caps and
        /// pauses Gridshell applied (negative: over budget).
        public var slaBudgetHours: Double
        public var slaBudgetLeftHours: Double
        /// The work lost to Gridshell's caps and pauses over the last 24 h: GPU-hours at full
        /// throughput, and their value at the site file's USD per GPU-hour for the job.
        public var throughputLostGPUHours: Double
        public var throughputLostUSD: Double
    }

    public struct Node: Sendable, Codable, Equatable {
        public var name: String
        public var gpuPowerW: Double
        public var gpus: Int
        public var problems: [String]
    }

    public var jobs: [Job]
    public var nodes: [Node]
    public var recentActions: [ComputeActuator.Action]
    public var lastError: String?
}

/// Keeps the AI side on the plan: every `everySeconds` it hands the plan in force to the
/// actuator, once the miners' commands for it have gone out.
public struct ComputeService: Service {
    let controller: SiteController
    let actuator: ComputeActuator
    let store: (any SiteStore)?
    let everySeconds: Double
    /// GPU power goes to the store this often (wall seconds).
    let recordEverySeconds: Double

    public init(controller: SiteController, actuator: ComputeActuator, store: (any SiteStore)? = nil, everySeconds: Double = 1, recordEverySeconds: Double = 10) {
        self.controller = controller
        self.actuator = actuator
        self.store = store
        self.everySeconds = everySeconds
        self.recordEverySeconds = recordEverySeconds
    }

    /// The store key the actuator's memory is kept under.
    public static let memoryKey = "compute-actuator"

    public func run() async throws {
        await restore()
        var recorded = Date.distantPast
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await once(recorded: &recorded)
            if !(await pause(everySeconds)) { break }
        }
        save(await actuator.memory)
    }

    /// Gives the actuator what the last run left in the store: the jobs it holds and the caps it
    /// applied, so it releases and lifts them after a restart. An unreadable record is named in
    /// the log and left in place; the scheduler's published caps still guide the ramp back.
    public func restore() async {
        guard let store else { return }
        do {
            guard let data = try store.controllerValue(Self.memoryKey) else { return }
            let memory = try JSONDecoder().decode(ComputeActuator.Memory.self, from: data)
            await actuator.restore(memory)
            Logger(label: "gridshell.compute").notice("AI-side state restored", metadata: [
                "gridshell.compute.held": "\(memory.paused.joined(separator: ","))", "gridshell.compute.capped": "\(memory.applied.count)",
            ])
        } catch {
            Logger(label: "gridshell.compute").error("could not read the AI side's saved state (\(Self.memoryKey))", metadata: ["gridshell.error": "\(error)"])
        }
    }

    private func save(_ memory: ComputeActuator.Memory) {
        guard let store else { return }
        do {
            try store.setControllerValue(Self.memoryKey, try JSONEncoder().encode(memory))
        } catch {
            Logger(label: "gridshell.compute").error("could not save the AI side's state", metadata: ["gridshell.error": "\(error)"])
        }
    }

    /// One pass: the plan to the AI side; its state to the store when it acted; its GPU power
    /// (and its state, for the SLA accounting) to the store when due.
    public func once(recorded: inout Date, now: Date = Date()) async {
        var acted = false
        if let plan = await controller.aiSide {
            acted = !(await actuator.apply(levels: plan.levels, emergency: plan.emergency)).isEmpty
        }
        await controller.setCompute(await actuator.status())
        let due = now.timeIntervalSince(recorded) >= recordEverySeconds
        if acted || due { save(await actuator.memory) }
        guard let store, due else { return }
        let rows = await actuator.powerRecords(at: controller.clock.siteTime(now))
        guard !rows.isEmpty else {
            recorded = now
            return
        }
        do {
            try store.recordGPUPower(rows)
            recorded = now
        } catch {
            Logger(label: "gridshell.compute").error("could not record GPU power", metadata: ["gridshell.error": "\(error)"])
        }
    }
}

import Foundation
import GridshellCore
import Logging
import ServiceLifecycle

/// Holds this node's GPUs to the power caps asked for, per job or for the whole node.
///
/// Every `intervalSeconds` it reads the GPUs, asks the scheduler which job holds which GPU,
/// and sets each GPU's limit where the enforced one differs from the target: caps revert (a
/// driver reload, another tool, a GPU reset), so they are re-applied rather than set once. A
/// GPU the agent capped and no longer needs to cap goes back to the limit it had before.
public actor GPUPowerAgent: Service {
    public nonisolated let node: String
    let gpus: any GPUPowerControl
    let cluster: (any ComputeCluster)?
    let intervalSeconds: Double
    /// Differences up to this many watts between the enforced limit and the target are left.
    let toleranceW: Double
    let restoreOnShutdown: Bool
    /// Take each job's cap from what the controller published in the scheduler (an agent on a
    /// node of its own); otherwise from `setCap` (an agent inside the controller).
    let capsFromScheduler: Bool
    let logger: Logger

    private var jobCaps: [ComputeJob.ID: PowerCap] = [:]
    private var nodeCap: PowerCap?
    /// The limit each GPU had before the agent first changed it, to go back to.
    private var original: [Int: Double] = [:]
    /// The limit last set per GPU, to tell a re-application from a new cap.
    private var lastSet: [Int: Double] = [:]
    private var jobsOnGPU: [Int: ComputeJob.ID] = [:]
    /// The latest pass, nil before the first.
    public private(set) var latest: GPUPowerSnapshot?

    /// - Parameters:
    ///   - node: the scheduler's name for this machine, to find the jobs' GPUs on it.
    ///   - cluster: where jobs' GPUs are read from; nil when only node caps are used.
    public init(
        node: String, gpus: any GPUPowerControl, cluster: (any ComputeCluster)?, intervalSeconds: Double = 5,
        toleranceW: Double = 1, restoreOnShutdown: Bool = true, capsFromScheduler: Bool = false,
        logger: Logger = Logger(label: "gridshell.compute.gpu-power")
    ) {
        self.capsFromScheduler = capsFromScheduler
        self.node = node
        self.gpus = gpus
        self.cluster = cluster
        self.intervalSeconds = intervalSeconds
        self.toleranceW = toleranceW
        self.restoreOnShutdown = restoreOnShutdown
        self.logger = logger
    }

    /// Caps every GPU of `job` on this node (a job cap wins over the node cap).
    public func setCap(_ cap: PowerCap, job: ComputeJob.ID) throws {
        jobCaps[job] = try cap.validated()
    }

    /// Caps every GPU of the node that has no job cap; nil lifts it.
    public func setNodeCap(_ cap: PowerCap?) throws {
        nodeCap = try cap?.validated()
    }

    public func clearCap(job: ComputeJob.ID) { jobCaps[job] = nil }

    /// Lifts every cap; the next pass puts the GPUs back to their own limits.
    public func clearAll() {
        jobCaps = [:]
        nodeCap = nil
    }

    public var caps: (jobs: [ComputeJob.ID: PowerCap], node: PowerCap?) { (jobCaps, nodeCap) }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            _ = await tick()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(self.intervalSeconds * 1000))) }
            } catch {
                break
            }
        }
        if restoreOnShutdown {
            clearAll()
            _ = await tick(readJobs: false)
        }
    }

    /// One pass: read, map jobs to GPUs, set the limits that differ. Never throws; what went
    /// wrong is in the snapshot's `problems` and the log.
    @discardableResult
    public func tick(readJobs: Bool = true) async -> GPUPowerSnapshot {
        var problems: [String] = []
        var readings: [GPUReading] = []
        do {
            readings = try await gpus.readings()
        } catch {
            problems.append("reading the GPUs: \(error)")
            logger.error("GPU readings failed", metadata: ["gridshell.node": "\(node)", "gridshell.error": "\(error)"])
        }
        if readJobs, let cluster {
            do {
                var map: [Int: ComputeJob.ID] = [:]
                var published: [ComputeJob.ID: PowerCap] = [:]
                for job in try await cluster.jobs() where job.holdsGPUs {
                    for index in job.gpuIndices[node] ?? [] { map[index] = job.id }
                    if let f = job.publishedCap, job.gpuIndices[node] != nil { published[job.id] = .fraction(f) }
                }
                jobsOnGPU = map
                if capsFromScheduler { jobCaps = published }
            } catch {
                // The last known mapping stands until the scheduler answers again.
                problems.append("reading the jobs: \(error)")
                logger.error("job list failed", metadata: ["gridshell.node": "\(node)", "gridshell.error": "\(error)"])
            }
        }
        var states: [GPUPowerSnapshot.GPU] = []
        var set = 0, reapplied = 0
        for reading in readings {
            let job = jobsOnGPU[reading.index]
            let cap = job.flatMap { jobCaps[$0] } ?? nodeCap
            var state = GPUPowerSnapshot.GPU(reading: reading, job: job, targetW: nil, clamped: false, problem: nil)
            do {
                var target: Double?
                if let cap {
                    let limit = try cap.limit(for: reading)
                    target = limit.watts
                    state.clamped = limit.clamped
                } else if let back = original[reading.index] {
                    target = back
                }
                state.targetW = target
                if let target, abs((reading.enforcedLimitW ?? reading.powerLimitW ?? .infinity) - target) > toleranceW {
                    if original[reading.index] == nil { original[reading.index] = reading.powerLimitW ?? reading.maxLimitW }
                    let again = lastSet[reading.index].map { abs($0 - target) <= toleranceW } ?? false
                    try await gpus.setPowerLimit(index: reading.index, watts: target)
                    lastSet[reading.index] = target
                    set += 1
                    if again { reapplied += 1 }
                    logger.info(again ? "GPU power limit re-applied" : "GPU power limit set", metadata: [
                        "gridshell.node": "\(node)", "gridshell.gpu.index": "\(reading.index)", "gridshell.gpu.limit_w": "\(target)",
                        "gridshell.job.id": "\(job ?? "")",
                    ])
                }
                if cap == nil, target != nil, state.problem == nil, original[reading.index] == target {
                    // Back at its own limit: nothing left to hold.
                    original[reading.index] = nil
                    lastSet[reading.index] = nil
                    state.targetW = nil
                }
            } catch {
                state.problem = "\(error)"
                problems.append("GPU \(reading.index): \(error)")
                logger.error("GPU power limit not applied", metadata: [
                    "gridshell.node": "\(node)", "gridshell.gpu.index": "\(reading.index)", "gridshell.error": "\(error)",
                ])
            }
            states.append(state)
        }
        var jobs: [ComputeJob.ID: GPUPowerSnapshot.Job] = [:]
        for state in states {
            guard let id = state.job else { continue }
            var entry = jobs[id] ?? .init(gpus: [], drawW: 0, limitW: 0)
            entry.gpus.append(state.reading.index)
            entry.drawW += state.reading.powerDrawW ?? 0
            entry.limitW += state.reading.enforcedLimitW ?? state.reading.powerLimitW ?? 0
            jobs[id] = entry
        }
        let snapshot = GPUPowerSnapshot(
            time: Date(), node: node, gpus: states, jobs: jobs, nodeDrawW: readings.reduce(0) { $0 + ($1.powerDrawW ?? 0) },
            limitsSet: set, limitsReapplied: reapplied, problems: problems)
        latest = snapshot
        return snapshot
    }
}

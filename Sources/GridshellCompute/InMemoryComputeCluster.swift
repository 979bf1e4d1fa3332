import Foundation
import GridshellCore

/// A scheduler in memory, for dispatcher tests and demos that should not need Slurm. It keeps
/// Slurm's semantics that matter to power: a requeue frees a job's GPUs and leaves it pending
/// (held if asked), a held job never starts, pending jobs start in priority order where GPUs are
/// free on one node, a checkpoint signal is only recorded.
public actor InMemoryComputeCluster: ComputeCluster {
    private var jobList: [ComputeJob]
    private var nodeList: [ComputeNode]
    /// Jobs sent a checkpoint signal, in order.
    public private(set) var checkpointSignals: [ComputeJob.ID] = []
    private var nextID: Int

    /// - Parameters:
    ///   - nodes: node name → GPUs on it.
    public init(nodes: [String: Int], partitions: [String] = ["inference", "training", "batch"]) {
        nodeList = nodes.sorted { $0.key < $1.key }.map {
            ComputeNode(name: $0.key, state: "idle", gpusTotal: $0.value, gpusAllocated: 0, partitions: partitions)
        }
        jobList = []
        nextID = 1
    }

    /// Adds a pending job (its id is assigned) and schedules; returns the id.
    @discardableResult
    public func submit(_ job: ComputeJob) -> ComputeJob.ID {
        var job = job
        job.id = String(nextID)
        nextID += 1
        job.state = .pending
        job.nodes = []
        job.gpuIndices = [:]
        job.startTime = nil
        jobList.append(job)
        schedule()
        return job.id
    }

    public func jobs() async throws -> [ComputeJob] { jobList }
    public func nodes() async throws -> [ComputeNode] { nodeList }

    public func hold(_ job: ComputeJob.ID) async throws {
        try update(job, "hold") { j in
            guard j.state == .pending else { throw InMemoryClusterError(job: job, command: "hold", message: "job is not pending") }
            j.held = true
            j.reason = "JobHeldUser"
        }
    }

    public func release(_ job: ComputeJob.ID) async throws {
        try update(job, "release") { j in
            j.held = false
            j.reason = ""
        }
        schedule()
    }

    public func setPriority(_ job: ComputeJob.ID, _ priority: Int) async throws {
        try update(job, "setPriority") { j in
            guard !j.held else { throw InMemoryClusterError(job: job, command: "setPriority", message: "job is held") }
            j.priority = priority
        }
        schedule()
    }

    public func signalCheckpoint(_ job: ComputeJob.ID, graceSeconds: Double) async throws -> CheckpointOutcome {
        try update(job, "signalCheckpoint") { j in
            guard j.state == .running else { throw InMemoryClusterError(job: job, command: "signalCheckpoint", message: "job is not running") }
        }
        checkpointSignals.append(job)
        return .stillRunning
    }

    public func requeue(_ job: ComputeJob.ID, hold: Bool) async throws {
        try update(job, "requeue") { j in
            guard j.state == .running else { throw InMemoryClusterError(job: job, command: "requeue", message: "job is not running") }
            j.state = .pending
            j.held = hold
            j.reason = hold ? "job requeued in held state" : "BeginTime"
            j.requeueCount += 1
        }
        free(job)
        schedule()
    }

    public func cancel(_ job: ComputeJob.ID) async throws {
        try update(job, "cancel") { j in j.state = .cancelled }
        free(job)
        schedule()
    }

    private func update(_ id: ComputeJob.ID, _ command: String, _ change: (inout ComputeJob) throws -> Void) throws {
        guard let i = jobList.firstIndex(where: { $0.id == id }) else {
            throw InMemoryClusterError(job: id, command: command, message: "Invalid job id specified")
        }
        try change(&jobList[i])
    }

    private func free(_ id: ComputeJob.ID) {
        guard let i = jobList.firstIndex(where: { $0.id == id }) else { return }
        for (node, indices) in jobList[i].gpuIndices {
            guard let n = nodeList.firstIndex(where: { $0.name == node }) else { continue }
            nodeList[n].allocatedIndices.removeAll { indices.contains($0) }
            nodeList[n].gpusAllocated = nodeList[n].allocatedIndices.count
            nodeList[n].state = nodeList[n].gpusAllocated == 0 ? "idle" : "mixed"
        }
        jobList[i].nodes = []
        jobList[i].gpuIndices = [:]
    }

    /// Starts pending, unheld jobs by priority (then id) wherever one node has their GPUs free.
    private func schedule() {
        let order = jobList.indices.filter { jobList[$0].state == .pending && !jobList[$0].held }
            .sorted { (jobList[$0].priority, -(Int(jobList[$0].id) ?? 0)) > (jobList[$1].priority, -(Int(jobList[$1].id) ?? 0)) }
        for i in order {
            let want = jobList[i].gpuCount
            guard let n = nodeList.firstIndex(where: { $0.gpusTotal - $0.gpusAllocated >= want }) else { continue }
            let free = (0..<nodeList[n].gpusTotal).filter { !nodeList[n].allocatedIndices.contains($0) }.prefix(want)
            nodeList[n].allocatedIndices = (nodeList[n].allocatedIndices + free).sorted()
            nodeList[n].gpusAllocated = nodeList[n].allocatedIndices.count
            nodeList[n].state = nodeList[n].gpusAllocated == nodeList[n].gpusTotal ? "allocated" : "mixed"
            jobList[i].state = .running
            jobList[i].reason = ""
            jobList[i].nodes = [nodeList[n].name]
            jobList[i].gpuIndices = [nodeList[n].name: Array(free)]
            jobList[i].startTime = Date()
        }
    }
}

/// A command the in-memory scheduler refuses, as Slurm would.
public struct InMemoryClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var job: String
    public var command: String
    public var message: String
    public var description: String { "\(command) job \(job): \(message)" }
}

import Foundation
import GridshellCompute
import GridshellCore
import Testing

/// A real Slurm cluster started by scripts/slurm-cluster.sh in a temporary directory, with
/// helpers for jobs the tests submit.
struct SlurmHarness {
    let dir: URL
    let slurm: SlurmCLI
    let cluster: LocalSlurmCluster

    /// Ports 30000–31499 (one range per cluster, ten ports wide): below the kernel's ephemeral
    /// ports, above every fixed port the tests use, and apart from the server tests' range.
    static let portBases = stride(from: 30_000, through: 31_490, by: 10)

    /// Starts a cluster, runs `body`, and stops the cluster whatever happens.
    static func with(nodes: Int = 2, gpus: Int = 4, _ body: (SlurmHarness) async throws -> Void) async throws {
        let dir = try makeTemporaryDirectory("gridshell-slurm")
        let script = repositoryRoot.appendingPathComponent("scripts/slurm-cluster.sh").path
        var failure: (any Error)?
        var cluster: LocalSlurmCluster?
        do {
            let started = try await LocalSlurmCluster.start(script: script, directory: dir, nodes: nodes, gpusPerNode: gpus, portBases: portBases)
            cluster = started
            try await body(SlurmHarness(dir: dir, slurm: SlurmCLI(slurmConf: started.slurmConf, timeoutSeconds: 20), cluster: started))
        } catch {
            failure = error
        }
        // A failed start stops what it started itself.
        if let cluster { try? await cluster.stop() }
        if failure == nil { try? FileManager.default.removeItem(at: dir) }
        if let failure {
            Issue.record("Slurm logs kept in \(dir.path)/logs")
            throw failure
        }
    }

    /// A job script that notes each start, writes a checkpoint file on SIGUSR1 and, with
    /// `requeueItself`, then asks Slurm to requeue it (as training frameworks do).
    func jobScript(requeueItself: Bool = false) throws -> String {
        let path = dir.appendingPathComponent(requeueItself ? "job-requeue.sh" : "job.sh")
        let onSignal = requeueItself ? "; scontrol requeue $SLURM_JOB_ID" : ""
        let text = """
            #!/bin/bash
            echo "start ${SLURM_RESTART_COUNT:-0}" >> \(dir.path)/starts-$SLURM_JOB_ID
            trap 'echo "checkpoint ${SLURM_RESTART_COUNT:-0}" > \(dir.path)/ckpt-$SLURM_JOB_ID\(onSignal)' USR1
            while true; do sleep 0.2 & wait $!; done

            """
        try text.write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        return path.path
    }

    /// A flex-2 training job on `gpus` GPUs of one node, once it runs: its id, the job, the
    /// node and the GPU indices Slurm gave it there.
    func runningTrainingJob(gpus: Int) async throws -> (id: String, job: ComputeJob, node: String, gpus: Set<Int>) {
        let id = try await submit("pretrain", partition: "training", gpus: gpus, comment: "gridshell:flex=2,profile=training")
        let running = try await waitForJob(id, "running") { $0.state == .running }
        let node = try #require(running.nodes.first)
        return (id, running, node, Set(try #require(running.gpuIndices[node])))
    }

    func submit(
        _ name: String, partition: String, gpus: Int, comment: String? = nil, hold: Bool = false, requeueItself: Bool = false,
        extra: [String] = []
    ) async throws -> String {
        try await slurm.submit(SlurmSubmission(
            script: try jobScript(requeueItself: requeueItself), name: name, partition: partition, gpusPerNode: gpus, comment: comment,
            output: dir.appendingPathComponent("out-%j.txt").path, hold: hold, extra: extra))
    }

    func job(_ id: String) async throws -> ComputeJob? { try await slurm.jobs().first { $0.id == id } }

    /// Waits until the job satisfies `condition`.
    @discardableResult
    func waitForJob(_ id: String, _ what: String, seconds: Double = 30, _ condition: @escaping (ComputeJob) -> Bool) async throws -> ComputeJob {
        try await waitFor("job \(id) \(what)", seconds: seconds) {
            let job = try await self.job(id)
            return (job.flatMap { condition($0) ? $0 : nil }, job.map { "\($0.state) \($0.reason) held=\($0.held) nodes=\($0.nodes)" } ?? "job not listed")
        }
    }

    func gpusAllocated() async throws -> Int { try await slurm.nodes().reduce(0) { $0 + $1.gpusAllocated } }

    func file(_ name: String) -> String? { try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) }
}

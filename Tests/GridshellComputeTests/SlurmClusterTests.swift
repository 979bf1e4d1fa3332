import Foundation
import GridshellCompute
import GridshellCore
import GridshellTestSupport
import Testing

/// Against a real slurmctld and slurmd (started by the tests themselves; `make test` installs
/// Slurm and munge). They fail, not skip, when Slurm is missing.
@Suite(.serialized) struct SlurmClusterTests {
    @Test func readsJobsAndNodesWithTheirTiers() async throws {
        try await SlurmHarness.with { h in
            let nodes = try await h.slurm.nodes()
            #expect(nodes.count == 2 && nodes.allSatisfy { $0.gpusTotal == 4 && $0.gpusAllocated == 0 && $0.state == "idle" })
            let infer = try await h.submit("chat", partition: "inference", gpus: 2)
            let train = try await h.submit("pretrain", partition: "training", gpus: 2, comment: "gridshell:flex=2,profile=training")
            let batch = try await h.submit("eval", partition: "batch", gpus: 1)
            for id in [infer, train, batch] { try await h.waitForJob(id, "running") { $0.state == .running } }
            let jobs = Dictionary(uniqueKeysWithValues: try await h.slurm.jobs().map { ($0.id, $0) })
            #expect(jobs[infer]?.flexTier == 0 && jobs[infer]?.profile == .inference && jobs[infer]?.tagSource == .partition)
            #expect(jobs[train]?.flexTier == 2 && jobs[train]?.profile == .training && jobs[train]?.tagSource == .comment)
            #expect(jobs[batch]?.flexTier == 3 && jobs[batch]?.profile == .batch)
            for id in [infer, train, batch] {
                let job = try #require(jobs[id])
                let node = try #require(job.nodes.first)
                #expect(job.gpuIndices[node]?.count == job.gpuCount, "job \(id): \(job.gpuIndices)")
                #expect(job.startTime != nil)
            }
            #expect(try await h.gpusAllocated() == 5)
        }
    }

    @Test func holdReleaseAndPriority() async throws {
        try await SlurmHarness.with { h in
            // Not eligible for an hour, so it stays pending while it is held and released.
            let id = try await h.submit("later", partition: "training", gpus: 1, extra: ["--begin=now+3600"])
            try await h.waitForJob(id, "pending") { $0.state == .pending && !$0.held }
            try await h.slurm.setPriority(id, 4242)
            try await h.waitForJob(id, "priority 4242") { $0.priority == 4242 }
            try await h.slurm.hold(id)
            try await h.waitForJob(id, "held") { $0.held && $0.priority == 0 }
            // Slurm refuses a new priority while a job is held (priority 0 is the hold).
            await #expect {
                try await h.slurm.setPriority(id, 10)
            } throws: { "\($0)".contains("Job is in held state") }
            // Release lets it go at once (it also clears the start delay).
            try await h.slurm.release(id)
            let running = try await h.waitForJob(id, "running after release") { $0.state == .running }
            #expect(!running.held)
            try await h.slurm.setPriority(id, 777)
            try await h.waitForJob(id, "priority 777") { $0.priority == 777 }
        }
    }

    @Test func checkpointThenRequeueFreesTheGPUsAndTheJobRunsAgain() async throws {
        try await SlurmHarness.with { h in
            let id = try await h.submit("pretrain", partition: "training", gpus: 4, comment: "gridshell:flex=3,profile=training")
            let running = try await h.waitForJob(id, "running") { $0.state == .running }
            let node = try #require(running.nodes.first)
            #expect(running.gpuIndices[node] == [0, 1, 2, 3] && running.flexTier == 3)
            try await waitFor("the job script to start") { (h.file("starts-\(id)"), "no starts file") }
            #expect(try await h.gpusAllocated() == 4)

            // The job writes its checkpoint but does not stop by itself within the grace time.
            let outcome = try await h.slurm.signalCheckpoint(id, graceSeconds: 1)
            #expect(outcome == .stillRunning)
            let checkpoint = try await waitFor("the checkpoint file") { (h.file("ckpt-\(id)"), "none yet") }
            #expect(checkpoint.hasPrefix("checkpoint 0"))

            try await h.slurm.requeue(id, hold: true)
            let pending = try await h.waitForJob(id, "pending and held after requeue") { $0.state == .pending && $0.held }
            #expect(pending.requeueCount == 1)
            try await waitFor("the node's GPUs to be freed") {
                let n = try await h.gpusAllocated()
                return (n == 0 ? true : nil, "\(n) GPUs allocated")
            }

            try await h.slurm.release(id)
            try await h.waitForJob(id, "running again") { $0.state == .running }
            try await waitFor("the second start") {
                let starts = h.file("starts-\(id)") ?? ""
                return (starts.split(separator: "\n").count == 2 ? starts : nil, starts)
            }
            #expect(try await h.gpusAllocated() == 4)
        }
    }

    @Test func aJobThatRequeuesItselfOnTheSignalStopsWithinTheGrace() async throws {
        try await SlurmHarness.with { h in
            let id = try await h.submit("selfsave", partition: "training", gpus: 1, requeueItself: true)
            try await h.waitForJob(id, "running") { $0.state == .running }
            try await waitFor("the job script to start") { (h.file("starts-\(id)"), "no starts file") }
            let outcome = try await h.slurm.signalCheckpoint(id, graceSeconds: 15)
            #expect(outcome == .stopped(.pending))
            #expect(h.file("ckpt-\(id)") != nil)
        }
    }

    @Test func cancelBatchAndErrorsNameTheCommand() async throws {
        try await SlurmHarness.with { h in
            let id = try await h.submit("scratch", partition: "batch", gpus: 2)
            try await h.waitForJob(id, "running") { $0.state == .running }
            try await h.slurm.cancel(id)
            try await waitFor("the batch job to be cancelled") {
                let job = try await h.job(id)
                return (job == nil || job?.state == .cancelled ? true : nil, "\(String(describing: job?.state))")
            }
            try await waitFor("its GPUs to be freed") {
                let n = try await h.gpusAllocated()
                return (n == 0 ? true : nil, "\(n) GPUs allocated")
            }
            await #expect {
                try await h.slurm.hold("999999")
            } throws: { error in
                let text = "\(error)"
                return text.contains("`scontrol hold 999999` exited with status 1") && text.contains("Invalid job id")
            }
            await #expect(throws: SlurmCommandError.self) { try await h.slurm.cancel("1; rm -rf /") }
        }
    }
}

/// The power agent with the real scheduler telling it which GPUs a job holds (in the same
/// serialized suite, so one cluster runs at a time).
extension SlurmClusterTests {
    @Test func capFollowsTheJobsGPUsAndLiftsWhenTheJobIsRequeued() async throws {
        try await SlurmHarness.with(nodes: 1, gpus: 4) { h in
            let fake = try FakeGPUs(gpus: 4)
            defer { fake.remove() }
            let id = try await h.submit("pretrain", partition: "training", gpus: 2, comment: "gridshell:flex=2")
            let job = try await h.waitForJob(id, "running") { $0.state == .running }
            let held = try #require(job.gpuIndices["node1"])
            #expect(held.count == 2)
            let agent = GPUPowerAgent(node: "node1", gpus: fake.smi, cluster: h.slurm)
            try await agent.setCap(.fraction(0.6), job: id)
            let snap = await agent.tick()
            #expect(snap.problems.isEmpty, "\(snap.problems)")
            let limits = try await fake.limits()
            for gpu in 0..<4 { #expect(limits[gpu] == (held.contains(gpu) ? 420 : 700), "GPU \(gpu)") }
            #expect(Set(snap.jobs[id]?.gpus ?? []) == Set(held))

            // Requeued, the job holds no GPU: the agent puts them back to full power.
            try await h.slurm.requeue(id, hold: true)
            try await h.waitForJob(id, "pending") { $0.state == .pending }
            await agent.tick()
            #expect(try await fake.limits() == [0: 700, 1: 700, 2: 700, 3: 700])
        }
    }

    @Test func aNodeAgentHoldsTheJobToTheCapTheControllerPublishesInSlurm() async throws {
        try await SlurmHarness.with { h in
            let (id, running, node, mine) = try await h.runningTrainingJob(gpus: 2)
            let smi = repositoryRoot.appendingPathComponent("scripts/fake-nvidia-smi").path
            let state = h.dir.appendingPathComponent("gpus-\(node)").path
            let agent = GPUPowerAgent(
                node: node, gpus: NvidiaSMI(executable: smi, environment: ["FAKE_NVIDIA_SMI_STATE": state, "FAKE_NVIDIA_SMI_GPUS": "4"]),
                cluster: h.slurm, intervalSeconds: 1, capsFromScheduler: true)
            // The controller publishes 60 % in the job's AdminComment, next to an operator's words.
            _ = try await h.slurm.runner.run("scontrol", ["update", "JobId=\(id)", "AdminComment=ticket-42"])
            let commented = try await h.waitForJob(id, "the operator's comment") { $0.adminComment == "ticket-42" }
            try await h.slurm.publishCap(0.6, job: commented)
            let published = try await h.waitForJob(id, "the cap published") { $0.publishedCap == 0.6 }
            #expect(published.adminComment == "ticket-42 gridshell:cap=0.600")
            await agent.tick()
            let capped = await agent.tick()
            for g in capped.gpus {
                let limit = g.reading.enforcedLimitW ?? 0
                #expect(mine.contains(g.reading.index) ? abs(limit - 420) < 1 : abs(limit - 700) < 1, "GPU \(g.reading.index): \(limit) W")
            }
            // Withdrawn: the GPUs go back to their own limit; the operator's words stay.
            try await h.slurm.publishCap(nil, job: published)
            let cleared = try await h.waitForJob(id, "the cap withdrawn") { $0.publishedCap == nil }
            #expect(cleared.adminComment == "ticket-42")
            await agent.tick()
            let back = await agent.tick()
            #expect(back.gpus.allSatisfy { abs(($0.reading.enforcedLimitW ?? 0) - 700) < 1 })
            await #expect(throws: SlurmCommandError.self) { try await h.slurm.publishCap(1.5, job: cleared) }
        }
    }

    /// `gridshell compute agent`, as each GPU node runs it: a process of its own that holds the
    /// node's GPUs to the cap the controller publishes in Slurm, and puts them back on SIGTERM.
    @Test func theAgentCommandHoldsItsNodeToThePublishedCapUntilStopped() async throws {
        try await SlurmHarness.with { h in
            let (id, running, node, mine) = try await h.runningTrainingJob(gpus: 2)
            let smi = repositoryRoot.appendingPathComponent("scripts/fake-nvidia-smi").path
            let state = h.dir.appendingPathComponent("gpus-agent-\(node)")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            let gpuEnvironment = ["FAKE_NVIDIA_SMI_STATE": state.path, "FAKE_NVIDIA_SMI_GPUS": "4"]
            let gpus = NvidiaSMI(executable: smi, environment: gpuEnvironment)

            let agent = Process()
            agent.executableURL = try gridshellBinary()
            agent.arguments = [
                "compute", "agent", "--node", node, "--slurm-conf", h.dir.appendingPathComponent("slurm.conf").path, "--nvidia-smi", smi, "--every", "0.5",
            ]
            agent.environment = ProcessInfo.processInfo.environment.merging(gpuEnvironment) { _, new in new }
            let log = h.dir.appendingPathComponent("agent.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            defer { try? output.close() }
            agent.standardOutput = output
            agent.standardError = output
            try agent.run()
            defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }

            try await h.slurm.publishCap(0.6, job: running)
            _ = try await h.waitForJob(id, "the cap published") { $0.publishedCap == 0.6 }
            let agentLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
            try await waitFor("the agent process to cap the job's GPUs", seconds: 40) {
                try #require(agent.isRunning, "the agent exited: \(agentLog())")
                let limits = Dictionary(uniqueKeysWithValues: try await gpus.readings().map { ($0.index, $0.enforcedLimitW ?? 0) })
                let held = limits.allSatisfy { mine.contains($0.key) ? abs($0.value - 420) < 1 : abs($0.value - 700) < 1 }
                return (held && limits.count == 4 ? true : nil, "\(limits)")
            }
            // SIGTERM: it puts the GPUs back to their own limit and exits cleanly.
            kill(agent.processIdentifier, SIGTERM)
            await waitForExit(agent)
            #expect(agent.terminationStatus == 0, "\(agentLog())")
            let after = try await gpus.readings()
            #expect(after.allSatisfy { abs(($0.enforcedLimitW ?? 0) - 700) < 1 }, "\(after.map(\.enforcedLimitW))")
        }
    }

    /// A port range some other program holds is refused before any daemon starts, with the
    /// port named, and `LocalSlurmCluster` takes that as a reason to try another range.
    @Test func aTakenPortRangeIsNamedAndSkipped() async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0  // any free port
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0 && listen(fd, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let dir = try makeTemporaryDirectory("gridshell-slurm-port")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = repositoryRoot.appendingPathComponent("scripts/slurm-cluster.sh").path
        // slurmd of node 1 would take the held port.
        await #expect {
            _ = try await LocalSlurmCluster.start(script: script, directory: dir, nodes: 2, gpusPerNode: 1, portBases: stride(from: port - 1, through: port - 1, by: 10))
        } throws: { error in
            guard let e = error as? CommandError else { return false }
            return e.kind == .failed(status: 75) && e.description.contains("port \(port) is in use")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pids/slurmctld.pid").path))
    }
}

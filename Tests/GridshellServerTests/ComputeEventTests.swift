import Foundation
import GridshellCompute
import GridshellCore
import GridshellDispatch
import GridshellServer
import GridshellStore
import Hummingbird
import HummingbirdTesting
import Testing

/// A demand-response event on a hybrid site whose AI side runs on a real Slurm (slurmctld, two
/// slurmd with fake GPUs, started by the test) with fake `nvidia-smi` GPUs: miners are shed
/// first, then training is capped, then the flex-3 job is checkpointed and requeued; after the
/// event every job runs again at full power, and the ledger shows what the event cost the AI
/// side and what it earned.
@Suite("AI side in a grid event (real Slurm)", .serialized)
struct ComputeEventTests {
    static let siteYAML = """
        name: AI event test site
        interconnect_mw: 5
        cooling: {mining_pue: 1.05, ai_pue: 1.2}
        contract: {type: real_time, settlement_point: HB_WEST}
        ai_tenants:
          - {name: lease, firm_kw: 500, usd_per_kw_month: 121, term_years: 5}
        gpu_clusters:
          - name: gpu
            system: DGX H100
            count: 2
            jobs:
              - {name: pretrain, kind: training, gpus: 8, flex_tier: 2, checkpoint_cost_usd: 150, value_usd_per_gpu_hour: 2.1}
              - {name: sweep, kind: batch, gpus: 4, flex_tier: 3, checkpoint_cost_usd: 20, value_usd_per_gpu_hour: 0.6}
              - {name: chat, kind: inference, gpus: 4, value_usd_per_gpu_hour: 3.0}
        miners:
          - {name: s21, model: Antminer S21, firmware: luxos, count: 100, addresses: [127.88.0.1-100]}

        """

    @Test("an event: miners asleep, then training capped, then the flex-3 job checkpointed and requeued; all back at full power after; the ledger shows cost and credit")
    func eventOnTheAISide() async throws {
        let root = Harness.root
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gridshell-ai-event-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = root + "/scripts/slurm-cluster.sh"
        // Ports 31500–32499, apart from the compute tests' clusters, which may run meanwhile.
        let cluster = try await LocalSlurmCluster.start(
            script: script, directory: dir, nodes: 2, gpusPerNode: 4, portBases: stride(from: 31_500, through: 32_490, by: 10))
        // Stopped whatever happens (the daemons are this test's alone); the logs are kept on failure.
        do {
            try await event(dir: dir)
        } catch {
            try? await cluster.stop()
            Issue.record("Slurm logs kept in \(dir.path)/logs")
            throw error
        }
        try? await cluster.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func event(dir: URL) async throws {
        let root = Harness.root
        let conf = dir.appendingPathComponent("slurm.conf").path
        let site = try SiteLoader.parse(yaml: Self.siteYAML)
        let slurm = SlurmCLI(slurmConf: conf, tagger: JobTagger(siteJobs: site.gpuClusters.flatMap(\.jobs)), timeoutSeconds: 20)

        // Jobs that note their starts and write a checkpoint on SIGUSR1.
        let jobScript = dir.appendingPathComponent("job.sh")
        try """
            #!/bin/bash
            echo "start ${SLURM_RESTART_COUNT:-0}" >> \(dir.path)/starts-$SLURM_JOB_NAME
            trap 'echo checkpoint > \(dir.path)/ckpt-$SLURM_JOB_NAME' USR1
            while true; do sleep 0.2 & wait $!; done

            """.write(to: jobScript, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: jobScript.path)
        func submit(_ name: String, _ partition: String, _ gpus: Int, _ comment: String) async throws -> String {
            try await slurm.submit(SlurmSubmission(
                script: jobScript.path, name: name, partition: partition, gpusPerNode: gpus, comment: comment,
                output: dir.appendingPathComponent("out-%j.txt").path))
        }
        let pretrain = try await submit("pretrain", "training", 4, "gridshell:flex=2,profile=training")
        let sweep = try await submit("sweep", "batch", 2, "gridshell:flex=3,profile=batch")
        let chat = try await submit("chat", "inference", 2, "gridshell:flex=0,profile=inference")
        func jobs() async throws -> [String: ComputeJob] { Dictionary(uniqueKeysWithValues: try await slurm.jobs().map { ($0.id, $0) }) }
        try await RestartTests.wait(30, "every job running", every: 0.3) { try await jobs().values.filter { $0.state == .running }.count == 3 }

        // Fake GPUs on both nodes, every one busy.
        let smi = root + "/scripts/fake-nvidia-smi"
        var agents: [GPUPowerAgent] = []
        for node in ["node1", "node2"] {
            let state = dir.appendingPathComponent("gpu-\(node)")
            try FileManager.default.createDirectory(at: state.appendingPathComponent("load"), withIntermediateDirectories: true)
            for g in 0..<4 { try "1.0".write(to: state.appendingPathComponent("load/\(g)"), atomically: true, encoding: .utf8) }
            let gpus = NvidiaSMI(executable: smi, environment: ["FAKE_NVIDIA_SMI_STATE": state.path, "FAKE_NVIDIA_SMI_GPUS": "4"])
            agents.append(GPUPowerAgent(node: node, gpus: gpus, cluster: slurm, intervalSeconds: 1))
        }

        let sitePath = dir.appendingPathComponent("site.yaml").path
        try Self.siteYAML.write(toFile: sitePath, atomically: true, encoding: .utf8)
        // A quiet February night (about 20 $/MWh): everything runs until the event. One site
        // minute per wall second.
        let h = try Harness(speed: 60, sitePath: sitePath, from: "2021-02-02T03:00:00Z", to: "2021-02-02T09:00:00Z")
        let settings = ComputeActuator.Settings(checkpointGraceSeconds: 1, rampStepFraction: 0.1, rampStepSeconds: 1)
        var actuator = ComputeActuator(cluster: slurm, agents: agents, site: h.controller.live.dispatchSite, settings: settings)
        // What serve runs: the plan to the AI side, GPU power to the store (every pass here).
        var service = ComputeService(controller: h.controller, actuator: actuator, store: h.store, recordEverySeconds: 0)
        var recorded = Date.distantPast
        func step() async {
            await h.controller.observe(await h.fleet.poll())
            await h.controller.tick()
            await service.once(recorded: &recorded)
            for a in agents { await a.tick() }
        }
        await step()
        let before = await actuator.status()
        #expect(before.jobs.allSatisfy { $0.capFraction == nil && !$0.pausedByGridshell && $0.state == "running" }, "\(before.jobs)")
        let minersOn = h.fleet.miners.withLock { $0.values.filter { $0.telemetry?.mode == .normal }.count }
        #expect(minersOn == 100)

        // The event: the site at its firm load plus every flexible load at its floor.
        let ds = h.controller.live.dispatchSite
        let target = ds.firmMW + ds.loads.reduce(0) { $0 + $1.floorMW } + 0.0001
        let start = h.controller.clock.siteTime()
        let end = start.addingTimeInterval(20 * 60)
        await h.controller.setGridCommitments([GridCommitment(
            id: "dr-1", kind: "demand-response", start: start, end: end, targetMW: target, creditUSDPerMWh: 300, source: "test", detail: "test event")])
        let eventWall = Date()
        await step()
        try await RestartTests.wait(20, "the flex-3 job requeued and held", every: 0.3) {
            await step()
            return try await jobs()[sweep].map { $0.state == .pending && $0.held } ?? false
        }
        // One more pass, so the time under the cap counts against the SLA budget.
        try await Task.sleep(nanoseconds: 500_000_000)
        await step()
        let during = await actuator.status()
        let actions = await actuator.actions.filter { $0.at >= eventWall && $0.error == nil }
        let capAt = try #require(actions.first { $0.kind == "cap" && $0.job == "pretrain" }?.at, "\(actions)")
        let checkpointAt = try #require(actions.first { $0.kind == "checkpoint" && $0.job == "sweep" }?.at, "\(actions)")
        let requeueAt = try #require(actions.first { $0.kind == "requeue" && $0.job == "sweep" }?.at, "\(actions)")
        // In order: the miners' sleep commands were done before the cap, the cap before the
        // checkpoint, the checkpoint before the requeue.
        let sleeps = try h.store.commands(from: start.addingTimeInterval(-3600), to: end, address: nil, limit: 10_000).filter { $0.command == .sleep }
        #expect(sleeps.count == 100)
        // Asleep: confirmed by the miners' own telemetry.
        #expect(sleeps.allSatisfy { $0.state == .confirmed })
        let lastSleep = try #require(sleeps.compactMap(\.finishedAt).max())
        #expect(lastSleep <= capAt && capAt <= checkpointAt && checkpointAt <= requeueAt, "sleep \(lastSleep), cap \(capAt), checkpoint \(checkpointAt), requeue \(requeueAt)")
        #expect(h.fleet.miners.withLock { $0.values.allSatisfy { $0.telemetry?.mode == .sleep } })
        // Training capped on its GPUs, inference untouched, the flex-3 job's GPUs freed.
        let train = try #require(during.jobs.first { $0.id == pretrain })
        let cap = try #require(train.capFraction)
        #expect(cap < 1 && train.state == "running")
        #expect(during.jobs.first { $0.id == chat }?.capFraction == nil)
        // The SLA budget: flex 2 tolerates 25 % over 24 h (6 h); the cap has started to use it.
        #expect(train.slaBudgetHours == 6 && train.slaBudgetLeftHours < 6 && train.slaBudgetLeftHours > 5.9)
        #expect(during.jobs.first { $0.id == chat }?.slaBudgetLeftHours == 0)
        // The work lost so far: the budget used, on the job's four GPUs, at 2.1 $ per GPU-hour.
        #expect(abs(train.throughputLostGPUHours - (6 - train.slaBudgetLeftHours) * 4) < 1e-9 && train.throughputLostGPUHours > 0)
        #expect(abs(train.throughputLostUSD - train.throughputLostGPUHours * 2.1) < 1e-9)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ckpt-sweep").path), "the job wrote its checkpoint")
        let snapshots = await agents.asyncMap { await $0.latest }
        let trainGPUs = snapshots.compactMap { $0 }.flatMap(\.gpus).filter { $0.job == pretrain }
        #expect(trainGPUs.count == 4 && trainGPUs.allSatisfy { abs(($0.reading.enforcedLimitW ?? 0) - cap * 700) < 1.5 }, "\(trainGPUs.map(\.reading))")
        // The state (and so the dashboard) carries it.
        await step()
        let shown = try #require(h.controller.board.snapshot?.compute)
        #expect(shown.jobs.first { $0.id == pretrain }?.capFraction == cap && shown.jobs.first { $0.id == sweep }?.pausedByGridshell == true)
        // The API shows it: GET /api/v1/compute.
        let api = SiteAPI(controller: h.controller, store: h.store, board: h.controller.board, metrics: h.api.metrics, compute: actuator)
        try await Application(router: api.router()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/compute", method: .get, headers: h.headers(.viewer))
            #expect(r.status == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any])
            let listed = try #require(body["jobs"] as? [[String: Any]])
            #expect(listed.first { $0["id"] as? String == pretrain }?["capFraction"] as? Double == cap)
            #expect(listed.first { $0["id"] as? String == sweep }?["pausedByGridshell"] as? Bool == true)
            // GPU power per node and job, kept in the store with the cap each job was held to.
            let history = try await client.execute(uri: "/api/v1/compute/history?from=2021-02-01&to=2021-02-03", method: .get, headers: h.headers(.viewer))
            #expect(history.status == .ok)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(history.body.readableBytesView)) as? [[String: Any]])
            #expect(rows.contains { $0["job"] as? String == pretrain && $0["capFraction"] as? Double == cap && ($0["drawW"] as? Double ?? 0) > 0 })
            #expect(rows.contains { $0["job"] as? String == "" && $0["node"] as? String == "node1" })
            let none = try await h.app().test(.router) { c in try await c.execute(uri: "/api/v1/compute", method: .get, headers: h.headers(.viewer)) }
            #expect(none.status == .notFound)
        }
        let allocated = try await slurm.nodes().reduce(0) { $0 + $1.gpusAllocated }
        #expect(allocated == 6, "the requeued job's two GPUs are free")

        // serve restarts in the middle of the event: the new actuator takes up, from the store,
        // the job it holds (no one else would release it), the cap it applied and the SLA
        // budget used so far.
        let budgetLeft = try #require(await actuator.status().jobs.first { $0.id == pretrain }?.slaBudgetLeftHours)
        actuator = ComputeActuator(cluster: slurm, agents: agents, site: h.controller.live.dispatchSite, settings: settings)
        service = ComputeService(controller: h.controller, actuator: actuator, store: h.store, recordEverySeconds: 0)
        await service.restore()
        let restored = await actuator.memory
        #expect(restored.paused == [sweep] && restored.applied[pretrain] == cap, "\(restored)")
        _ = await actuator.apply(levels: [], emergency: false)
        let resumed = try #require(await actuator.status().jobs.first { $0.id == pretrain })
        #expect(resumed.capFraction == cap && resumed.slaBudgetLeftHours <= budgetLeft && resumed.slaBudgetLeftHours > budgetLeft - 0.1)

        // After the event: staged back to full power, the held job released and running again.
        try await RestartTests.wait(60, "every job back at full power", every: 0.3) {
            await step()
            let s = await actuator.status()
            let all = try await jobs()
            let running = all.values.filter { $0.state == .running }.count == 3
            return running && s.jobs.allSatisfy { $0.capFraction == nil && !$0.pausedByGridshell }
        }
        for a in agents { await a.tick() }
        let after = await agents.asyncMap { await $0.latest }
        #expect(after.compactMap { $0 }.flatMap(\.gpus).allSatisfy { abs(($0.reading.enforcedLimitW ?? 0) - 700) < 1.5 })
        let raises = await actuator.actions.filter { ($0.kind == "cap" || $0.kind == "uncap") && $0.job == "pretrain" && $0.at > capAt }
        #expect(raises.count >= 3 && raises.last?.kind == "uncap", "the cap came back in stages: \(raises.map(\.detail))")
        let starts = try String(contentsOf: dir.appendingPathComponent("starts-sweep"), encoding: .utf8)
        #expect(starts.split(separator: "\n").count == 2, "started twice: \(starts)")

        // The ledger: the event's intervals settled with its credit and what it cost the AI side.
        try await RestartTests.wait(60, "the event's intervals settled", every: 0.3) {
            await step()
            return try h.store.lastSettledInterval().map { $0 >= end } ?? false
        }
        let lines = try h.store.ledger(from: start.addingTimeInterval(-900), to: end)
        let credit = lines.reduce(0) { $0 + $1.gridCreditsUSD }
        let lost = lines.reduce(0) { $0 + $1.aiThroughputLostUSD }
        let checkpoints = lines.reduce(0) { $0 + $1.checkpointCostUSD }
        #expect(credit > 0 && lost > 0 && checkpoints >= 20, "credit \(credit), AI throughput lost \(lost), checkpoints \(checkpoints)")
        // Per job: the flex-3 job paused with its checkpoint, the training job capped, inference
        // untouched.
        let jobLines = lines.flatMap { $0.jobs ?? [] }
        // Paused, it does no work (its idle servers may still draw a little).
        #expect(jobLines.contains { $0.job == "sweep" && $0.revenueUSD < 1e-9 && $0.throughputLostUSD > 0 && $0.powerShare < 0.5 }, "\(jobLines.filter { $0.job == "sweep" })")
        #expect(jobLines.filter { $0.job == "sweep" }.reduce(0) { $0 + $1.checkpointCostUSD } == checkpoints)
        #expect(jobLines.contains { $0.job == "pretrain" && $0.powerShare < 1 && $0.powerShare > 0 })
        #expect(jobLines.filter { $0.job == "chat" }.allSatisfy { $0.powerShare > 1 - 1e-9 && $0.throughputLostUSD < 1e-9 })
    }
}

extension Array {
    func asyncMap<T>(_ body: (Element) async -> T) async -> [T] {
        var out: [T] = []
        for e in self { out.append(await body(e)) }
        return out
    }
}

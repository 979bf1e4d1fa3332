import Foundation
import GridshellCompute
import GridshellCore
import Logging
import ServiceLifecycle
import Testing

/// The agent against scripts/fake-nvidia-smi: four H100s (200–700 W) in a fresh state directory.
struct FakeGPUs {
    let state: URL
    let smi: NvidiaSMI

    init(gpus: Int = 4, revertAfter: Double? = nil) throws {
        state = try makeTemporaryDirectory("gridshell-fake-smi")
        var env = ["FAKE_NVIDIA_SMI_STATE": state.path, "FAKE_NVIDIA_SMI_GPUS": String(gpus)]
        if let revertAfter { env["FAKE_NVIDIA_SMI_REVERT_AFTER"] = String(revertAfter) }
        smi = NvidiaSMI(executable: repositoryRoot.appendingPathComponent("scripts/fake-nvidia-smi").path, environment: env)
    }

    func setLoad(_ gpu: Int, _ load: Double) throws {
        try FileManager.default.createDirectory(at: state.appendingPathComponent("load"), withIntermediateDirectories: true)
        try String(load).write(to: state.appendingPathComponent("load/\(gpu)"), atomically: true, encoding: .utf8)
    }

    func limits() async throws -> [Int: Double] {
        Dictionary(uniqueKeysWithValues: try await smi.readings().map { ($0.index, $0.enforcedLimitW ?? -1) })
    }

    func remove() { try? FileManager.default.removeItem(at: state) }
}

func runningJob(_ id: String, node: String, gpus: [Int]) -> ComputeJob {
    ComputeJob(id: id, name: "j\(id)", partition: "training", state: .running, nodes: [node], gpuCount: gpus.count, gpuIndices: [node: gpus])
}

@Suite struct GPUPowerAgentTests {
    @Test func readsAndSetsThroughTheFake() async throws {
        let gpus = try FakeGPUs()
        defer { gpus.remove() }
        try gpus.setLoad(1, 1)
        let readings = try await gpus.smi.readings()
        #expect(readings.count == 4 && readings[1].powerDrawW == 700 && readings[0].powerDrawW == 70)
        try await gpus.smi.setPowerLimit(index: 1, watts: 450)
        let after = try await gpus.smi.readings()
        #expect(after[1].enforcedLimitW == 450 && after[1].powerDrawW == 450)
    }

    @Test func outOfRangeAndBadIndexAreTheToolsErrors() async throws {
        let gpus = try FakeGPUs()
        defer { gpus.remove() }
        await #expect {
            try await gpus.smi.setPowerLimit(index: 0, watts: 100)
        } throws: { error in
            guard let e = error as? CommandError, case .failed(let status) = e.kind else { return false }
            return status == 2 && e.description.contains("Provided power limit 100.00 W is not a valid power limit which should be between 200.00 W and 700.00 W")
        }
        await #expect {
            try await gpus.smi.setPowerLimit(index: 9, watts: 300)
        } throws: { "\($0)".contains("No devices were found") && "\($0)".contains("status 6") }
        try Data().write(to: gpus.state.appendingPathComponent("not-root"))
        await #expect { try await gpus.smi.setPowerLimit(index: 0, watts: 300) } throws: { "\($0)".contains("status 4") }
    }

    @Test func jobCapNodeCapAndClamping() async throws {
        let gpus = try FakeGPUs()
        defer { gpus.remove() }
        for g in 0..<4 { try gpus.setLoad(g, 1) }
        let cluster = StubCluster([runningJob("10", node: "node1", gpus: [0, 1]), runningJob("11", node: "node1", gpus: [2])])
        let agent = GPUPowerAgent(node: "node1", gpus: gpus.smi, cluster: cluster, intervalSeconds: 0.2)
        try await agent.setCap(.fraction(0.5), job: "10")
        try await agent.setCap(.watts(120), job: "11")  // below the H100's 200 W floor
        try await agent.setNodeCap(.watts(650))
        let first = await agent.tick()
        #expect(first.problems.isEmpty, "\(first.problems)")
        #expect(first.limitsSet == 4)
        #expect(first.gpus[2].clamped && first.gpus[2].targetW == 200)
        #expect(try await gpus.limits() == [0: 350, 1: 350, 2: 200, 3: 650])
        let second = await agent.tick()
        #expect(second.limitsSet == 0)
        #expect(second.jobs["10"] == .init(gpus: [0, 1], drawW: 700, limitW: 700))
        #expect(second.jobs["11"]?.drawW == 200 && second.nodeDrawW == 350 + 350 + 200 + 650)

        // Lifting the caps puts every GPU back to the limit it had.
        await agent.clearAll()
        let lifted = await agent.tick()
        #expect(lifted.limitsSet == 4 && lifted.gpus.allSatisfy { $0.targetW == nil })
        #expect(try await gpus.limits() == [0: 700, 1: 700, 2: 700, 3: 700])
        #expect(await agent.tick().limitsSet == 0)
    }

    @Test func invalidCapRequestsAreRefused() async throws {
        let agent = GPUPowerAgent(node: "n", gpus: NvidiaSMI(executable: "/nonexistent/nvidia-smi"), cluster: nil)
        await #expect(throws: PowerCapError.self) { try await agent.setCap(.fraction(1.5), job: "1") }
        await #expect(throws: PowerCapError.self) { try await agent.setNodeCap(.watts(-5)) }
        await #expect(throws: PowerCapError.self) { try await agent.setNodeCap(.watts(.nan)) }
    }

    @Test func unsupportedGPUIsAProblemNotACrash() async throws {
        let gpus = try FakeGPUs(gpus: 2)
        defer { gpus.remove() }
        _ = try await gpus.smi.readings()  // creates config.json
        let config = gpus.state.appendingPathComponent("config.json")
        var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        cfg["unsupported"] = [1]
        try JSONSerialization.data(withJSONObject: cfg).write(to: config)
        let agent = GPUPowerAgent(node: "n", gpus: gpus.smi, cluster: nil)
        try await agent.setNodeCap(.watts(400))
        let snap = await agent.tick()
        #expect(snap.limitsSet == 1)
        #expect(snap.gpus[1].problem?.contains("does not support power limits") == true)
        #expect(snap.gpus[1].reading.powerDrawW == nil)
    }

    @Test func revertedCapIsReappliedWithinThePeriod() async throws {
        // One GPU, so the check below does not race the reverts of others.
        let gpus = try FakeGPUs(gpus: 1, revertAfter: 1.5)
        defer { gpus.remove() }
        let agent = GPUPowerAgent(node: "node1", gpus: gpus.smi, cluster: nil, intervalSeconds: 0.3)
        try await agent.setNodeCap(.watts(500))
        let service = Task { try await agent.run() }
        defer { service.cancel() }
        try await checkReapplied(agent: agent, gpus: gpus)
        // Stopped before the state directory goes, so no pass runs after it.
        service.cancel()
        _ = await service.result
    }

    func checkReapplied(agent: GPUPowerAgent, gpus: FakeGPUs) async throws {
        // The fake lets go of the cap after 1.5 s; the agent must notice and set it again.
        let reapplied = try await waitFor("a reverted cap to be re-applied", seconds: 40) {
            let snap = await agent.latest
            return ((snap?.limitsReapplied ?? 0) > 0 ? snap : nil, "\(String(describing: snap?.gpus.map(\.reading.enforcedLimitW)))")
        }
        #expect(reapplied.gpus.allSatisfy { $0.targetW == 500 })
        try await waitFor("the GPU back at 500 W", seconds: 30, every: 0.1) {
            let limits = try await gpus.limits()
            return (limits.values.allSatisfy { $0 == 500 } ? true : nil, "\(limits)")
        }
    }

    @Test func gracefulShutdownPutsTheGPUsBack() async throws {
        let gpus = try FakeGPUs(gpus: 2)
        defer { gpus.remove() }
        let agent = GPUPowerAgent(node: "n", gpus: gpus.smi, cluster: nil, intervalSeconds: 0.2)
        try await agent.setNodeCap(.watts(300))
        let group = ServiceGroup(configuration: .init(services: [agent], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitFor("the cap to be applied", seconds: 40) {
                let limits = try await gpus.limits()
                return (limits.values.allSatisfy { $0 == 300 } ? true : nil, "\(limits)")
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await gpus.limits() == [0: 700, 1: 700])
    }

    @Test func schedulerOutageKeepsTheLastMapping() async throws {
        let gpus = try FakeGPUs()
        defer { gpus.remove() }
        let cluster = StubCluster([runningJob("10", node: "node1", gpus: [3])])
        let agent = GPUPowerAgent(node: "node1", gpus: gpus.smi, cluster: cluster)
        try await agent.setCap(.watts(300), job: "10")
        await agent.tick()
        await cluster.setFailing(true)
        let snap = await agent.tick()
        #expect(snap.problems.first?.contains("Unable to contact slurm controller") == true)
        #expect(snap.gpus[3].job == "10" && snap.gpus[3].targetW == 300)
    }

    @Test func missingToolIsNamed() async throws {
        let agent = GPUPowerAgent(node: "n", gpus: NvidiaSMI(executable: "/nonexistent/nvidia-smi"), cluster: nil)
        let snap = await agent.tick()
        #expect(snap.problems == ["reading the GPUs: `/nonexistent/nvidia-smi --query-gpu=index,uuid,name,power.draw,power.limit,power.min_limit,power.max_limit,enforced.power.limit --format=csv,noheader,nounits`: command not found on the search path"])
    }
}

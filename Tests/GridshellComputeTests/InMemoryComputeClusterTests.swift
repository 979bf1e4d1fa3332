import GridshellCompute
import GridshellCore
import Testing

@Suite struct InMemoryComputeClusterTests {
    @Test func requeueFreesGPUsAndReleaseRunsAgain() async throws {
        let cluster = InMemoryComputeCluster(nodes: ["node1": 4])
        let train = await cluster.submit(ComputeJob(id: "", name: "pretrain", partition: "training", state: .pending, gpuCount: 3, flexTier: 3, profile: .training))
        let chat = await cluster.submit(ComputeJob(id: "", name: "chat", partition: "inference", state: .pending, gpuCount: 2))
        var jobs = try await cluster.jobs()
        #expect(jobs[0].state == .running && jobs[0].gpuIndices == ["node1": [0, 1, 2]])
        #expect(jobs[1].state == .pending)  // 1 GPU free, it needs 2
        #expect(try await cluster.signalCheckpoint(train, graceSeconds: 1) == .stillRunning)
        try await cluster.requeue(train, hold: true)
        jobs = try await cluster.jobs()
        #expect(jobs[0].state == .pending && jobs[0].held && jobs[0].requeueCount == 1 && jobs[0].gpuIndices.isEmpty)
        #expect(jobs[1].state == .running && jobs[1].id == chat)
        #expect(try await cluster.nodes()[0].gpusAllocated == 2)
        try await cluster.cancel(chat)
        try await cluster.release(train)
        #expect(try await cluster.jobs()[0].state == .running)
        await #expect(throws: InMemoryClusterError.self) { try await cluster.hold("99") }
        await #expect(throws: InMemoryClusterError.self) { try await cluster.requeue(chat, hold: false) }
    }
}

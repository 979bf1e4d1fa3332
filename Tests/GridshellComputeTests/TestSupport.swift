import Foundation
import GridshellCompute
import GridshellCore

/// The repository's root, found from this file's place in it.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/GridshellComputeTests/Fixtures/\(name)"))
}

/// A fresh directory under the system's temporary directory.
func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var last: String
    var description: String { "waited \(seconds) s for \(what); last seen: \(last)" }
}

/// Polls `probe` until it returns a value, or fails after `seconds` naming what it waited for
/// and what it saw last.
func waitFor<T>(
    _ what: String, seconds: Double = 20, every: Double = 0.2, _ probe: () async throws -> (T?, String)
) async throws -> T {
    let deadline = Date().addingTimeInterval(seconds)
    var last = ""
    while true {
        let (value, seen) = try await probe()
        last = seen
        if let value { return value }
        if Date() > deadline { throw TimedOut(what: what, seconds: seconds, last: last) }
        try await Task.sleep(for: .milliseconds(Int(every * 1000)))
    }
}

/// A scheduler answer fixed by the test.
actor StubCluster: ComputeCluster {
    var list: [ComputeJob]
    var failing = false
    init(_ jobs: [ComputeJob]) { list = jobs }
    func set(_ jobs: [ComputeJob]) { list = jobs }
    func setFailing(_ on: Bool) { failing = on }
    func jobs() async throws -> [ComputeJob] {
        if failing { throw CommandError(command: "squeue --json", kind: .failed(status: 1), stderr: "slurm_load_jobs error: Unable to contact slurm controller") }
        return list
    }
    func nodes() async throws -> [ComputeNode] { [] }
    func hold(_ job: ComputeJob.ID) async throws {}
    func release(_ job: ComputeJob.ID) async throws {}
    func setPriority(_ job: ComputeJob.ID, _ priority: Int) async throws {}
    func signalCheckpoint(_ job: ComputeJob.ID, graceSeconds: Double) async throws -> CheckpointOutcome { .stillRunning }
    func requeue(_ job: ComputeJob.ID, hold: Bool) async throws {}
    func cancel(_ job: ComputeJob.ID) async throws {}
}

import Foundation

/// A Slurm cluster on this machine, run by scripts/slurm-cluster.sh (munged, slurmctld and one
/// slurmd per fake GPU node, everything under one directory): for tests and for trying the
/// compute adapter without a cluster.
public struct LocalSlurmCluster: Sendable {
    public let script: String
    public let directory: URL
    /// slurmctld's port; the slurmd ports follow it.
    public let portBase: Int

    /// `slurm.conf` of the cluster, for `SlurmCLI(slurmConf:)`.
    public var slurmConf: String { directory.appendingPathComponent("slurm.conf").path }

    /// Starts the cluster on a port range drawn from `portBases` (slurmctld's port; one port per
    /// node follows it). A range some other program holds is skipped for another, up to
    /// `attempts` times.
    public static func start(
        script: String, directory: URL, nodes: Int, gpusPerNode: Int, portBases: StrideThrough<Int>, attempts: Int = 5
    ) async throws -> LocalSlurmCluster {
        var bases = Array(portBases).shuffled()[...]
        var lastError: (any Error)?
        for _ in 0..<attempts {
            guard let base = bases.popFirst() else { break }
            let runner = CommandRunner(environment: ["SLURM_TEST_PORT_BASE": String(base)], timeoutSeconds: 90)
            let cluster = LocalSlurmCluster(script: script, directory: directory, portBase: base)
            do {
                _ = try await runner.run(script, ["start", directory.path, String(nodes), String(gpusPerNode)])
                return cluster
            } catch let error as CommandError where error.kind == .failed(status: 75) {
                // A port of this range is taken (nothing was started): another range.
                lastError = error
            } catch {
                // Whatever did start is stopped; the logs stay in the directory.
                try? await cluster.stop()
                throw error
            }
        }
        throw lastError ?? CommandError(command: "\(script) start", kind: .launch("no port range to try"))
    }

    /// Stops the daemons whose pid files are in the directory.
    public func stop() async throws {
        _ = try await CommandRunner(timeoutSeconds: 90).run(script, ["stop", directory.path])
    }
}

import ArgumentParser
import Foundation
import GridshellCompute
import GridshellCore
import Logging
import ServiceLifecycle

/// `gridshell compute jobs|nodes|gpus`: what the AI side's scheduler and GPUs report, as
/// Gridshell reads them (with each job's flex tier and where it came from).
struct ComputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "The AI side as Gridshell sees it: Slurm jobs with their flex tiers, GPU nodes, GPU power.",
        subcommands: [Jobs.self, Nodes.self, GPUs.self, Agent.self])

    struct SlurmOptions: ParsableArguments {
        @Option(help: "The slurm.conf to use (default: SLURM_CONF or the system's).")
        var slurmConf: String?

        @Option(help: "A site file whose AI jobs tag Slurm jobs of the same name.")
        var site: String?

        func validate() throws {
            // squeue and scontrol retry a missing slurm.conf for a minute before they fail.
            if let slurmConf, !FileManager.default.isReadableFile(atPath: slurmConf) {
                throw ValidationError("--slurm-conf: cannot read \(slurmConf)")
            }
        }

        func cluster() throws -> SlurmCLI {
            let jobs = try site.map { try loadSite($0).gpuClusters.flatMap(\.jobs) } ?? []
            return SlurmCLI(slurmConf: slurmConf, tagger: JobTagger(siteJobs: jobs))
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Slurm jobs with their flex tier, profile and GPUs.")
        @OptionGroup var options: SlurmOptions

        func run() async throws {
            let jobs = try await options.cluster().jobs()
            var table = TextTable(["job", "name", "partition", "state", "flex", "profile", "from", "GPUs", "on", "prio", "requeued"], rightAligned: [4, 7, 9, 10])
            for j in jobs {
                let on = j.gpuIndices.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.map(String.init).joined(separator: ","))" }
                table.add([j.id, j.name, j.partition, j.held ? "held" : j.state.rawValue, String(j.flexTier), j.profile.rawValue,
                    j.tagSource.rawValue, String(j.gpuCount), on.isEmpty ? j.nodes.joined(separator: ",") : on.joined(separator: " "),
                    String(j.priority), String(j.requeueCount)])
            }
            print(table.render())
            for j in jobs where j.tagIssue != nil { printError("job \(j.id): tag ignored: \(j.tagIssue!)") }
        }
    }

    struct Nodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "GPU nodes with their GPUs in use.")
        @OptionGroup var options: SlurmOptions

        func run() async throws {
            var table = TextTable(["node", "state", "GPUs", "in use", "indices", "partitions"], rightAligned: [2, 3])
            for n in try await options.cluster().nodes() {
                table.add([n.name, n.state, String(n.gpusTotal), String(n.gpusAllocated), n.allocatedIndices.map(String.init).joined(separator: ","),
                    n.partitions.joined(separator: ",")])
            }
            print(table.render())
        }
    }

    struct GPUs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gpus", abstract: "This machine's GPUs: power drawn, limit, range (nvidia-smi).")
        @Option(help: "The nvidia-smi to run.")
        var nvidiaSmi = "nvidia-smi"

        func run() async throws {
            func w(_ v: Double?) -> String { v.map { Format.number($0, 1) } ?? "n/a" }
            var table = TextTable(["GPU", "name", "draw W", "limit W", "enforced W", "range W"], rightAligned: [0, 2, 3, 4])
            for g in try await NvidiaSMI(executable: nvidiaSmi).readings() {
                table.add([String(g.index), g.name, w(g.powerDrawW), w(g.powerLimitW), w(g.enforcedLimitW),
                    g.supportsPowerLimit ? "\(w(g.minLimitW))–\(w(g.maxLimitW))" : "not supported"])
            }
            print(table.render())
        }
    }

    struct Agent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The GPU power agent of one node: holds its GPUs to the caps the controller publishes in Slurm, re-applied as they revert, until stopped.")
        @OptionGroup var options: SlurmOptions
        @Option(help: "This machine's Slurm node name.")
        var node: String
        @Option(help: "The nvidia-smi to run.")
        var nvidiaSmi = "nvidia-smi"
        @Option(help: "Seconds between two passes.")
        var every: Double = 5

        func validate() throws {
            guard every >= 0.2, every <= 3600 else { throw ValidationError("--every must be from 0.2 to 3600 seconds") }
        }

        func run() async throws {
            var logger = Logger(label: "gridshell.compute.agent")
            logger.logLevel = .notice
            let agent = GPUPowerAgent(
                node: node, gpus: NvidiaSMI(executable: nvidiaSmi), cluster: try options.cluster(), intervalSeconds: every, capsFromScheduler: true,
                logger: logger)
            let group = ServiceGroup(configuration: .init(services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

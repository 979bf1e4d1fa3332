import Foundation
import GridshellCore
import Logging

/// The Slurm cluster through its command-line tools (`squeue`, `sinfo`, `scontrol`, `scancel`,
/// `sbatch`), which run wherever a Slurm client is configured. Reads use `--json` (Slurm 22.05
/// prints its openapi/v0.0.38 shape without slurmrestd).
///
/// Every failing command throws `CommandError` naming the command, its exit status and what it
/// printed; output that does not read throws `SlurmOutputError`.
public struct SlurmCLI: ComputeCluster, ComputeCapBoard {
    public var runner: CommandRunner
    public var tagger: JobTagger
    /// How often `signalCheckpoint` looks at the job while it waits, seconds.
    public var pollSeconds: Double
    /// The least time between a requeue and the job's next start that `release` allows, seconds.
    public var restartDelaySeconds: Int = 3
    let logger: Logger

    /// - Parameters:
    ///   - slurmConf: the `slurm.conf` to use (`SLURM_CONF`); nil for the system's.
    ///   - tagger: how jobs' flex tiers are decided (give it the site file's jobs).
    public init(
        slurmConf: String? = nil, binDirectory: String? = nil, tagger: JobTagger = JobTagger(), timeoutSeconds: Double = 30,
        pollSeconds: Double = 0.25, logger: Logger = Logger(label: "gridshell.compute.slurm")
    ) {
        var env: [String: String] = [:]
        if let slurmConf { env["SLURM_CONF"] = slurmConf }
        self.runner = CommandRunner(environment: env, searchPaths: binDirectory.map { [$0] } ?? [], timeoutSeconds: timeoutSeconds)
        self.tagger = tagger
        self.pollSeconds = pollSeconds
        self.logger = logger
    }

    public func jobs() async throws -> [ComputeJob] {
        let output = try await runner.run("squeue", ["--json"])
        let jobs = try SlurmJSON.jobs(Data(output.stdout.utf8), tagger: tagger)
        for job in jobs where job.tagIssue != nil {
            logger.warning("job tag ignored", metadata: ["gridshell.job.id": "\(job.id)", "gridshell.job.tag.issue": "\(job.tagIssue ?? "")"])
        }
        return jobs
    }

    public func nodes() async throws -> [ComputeNode] {
        let output = try await runner.run("sinfo", ["--json"])
        return try SlurmJSON.nodes(Data(output.stdout.utf8))
    }

    public func hold(_ job: ComputeJob.ID) async throws {
        let id = try checked(job)
        try await command("scontrol", ["hold", id], job: job)
    }

    /// Releases the hold, then shortens the start delay Slurm puts on a requeued job (about two
    /// minutes in 22.05) to `restartDelaySeconds`; a job submitted with a later `--begin` also
    /// starts then. The few seconds are needed: a job restarted within the second its last run
    /// was killed is refused by the node ("Job credential revoked") and fails.
    public func release(_ job: ComputeJob.ID) async throws {
        let id = try checked(job)
        try await command("scontrol", ["release", id], job: job)
        try await command("scontrol", ["update", "JobId=\(id)", "StartTime=now+\(restartDelaySeconds)"], job: job)
    }

    public func setPriority(_ job: ComputeJob.ID, _ priority: Int) async throws {
        guard priority >= 0, priority < Int(UInt32.max) else {
            throw SlurmCommandError(job: job, message: "priority \(priority) is outside 0…\(UInt32.max - 1)")
        }
        let id = try checked(job)
        try await command("scontrol", ["update", "JobId=\(id)", "Priority=\(priority)"], job: job)
    }

    public func signalCheckpoint(_ job: ComputeJob.ID, graceSeconds: Double) async throws -> CheckpointOutcome {
        let id = try checked(job)
        try await command("scancel", ["--batch", "--signal=USR1", id], job: job)
        let deadline = ContinuousClock.now + .milliseconds(Int(max(0, graceSeconds) * 1000))
        while true {
            // A job Slurm no longer lists has ended and been forgotten.
            guard let state = try await state(of: id) else { return .stopped(.other) }
            if state != .running, state != .completing { return .stopped(state) }
            if ContinuousClock.now >= deadline { return .stillRunning }
            try await Task.sleep(for: .milliseconds(Int(pollSeconds * 1000)))
        }
    }

    public func requeue(_ job: ComputeJob.ID, hold: Bool) async throws {
        let id = try checked(job)
        try await command("scontrol", [hold ? "requeuehold" : "requeue", id], job: job)
    }

    /// Keeps the cap in the job's AdminComment (`gridshell:cap=0.750`), other words kept.
    public func publishCap(_ fraction: Double?, job: ComputeJob) async throws {
        if let fraction, !(fraction > 0 && fraction <= 1) {
            throw SlurmCommandError(job: job.id, message: "a cap is a fraction above 0 and at most 1; got \(fraction)")
        }
        let id = try checked(job.id)
        let text = job.adminComment(withCap: fraction)
        guard text != job.adminComment else { return }
        try await command("scontrol", ["update", "JobId=\(id)", "AdminComment=\(text)"], job: job.id)
    }

    public func cancel(_ job: ComputeJob.ID) async throws {
        let id = try checked(job)
        try await command("scancel", [id], job: job)
    }

    /// Submits a batch job and returns its id.
    public func submit(_ submission: SlurmSubmission) async throws -> ComputeJob.ID {
        let output = try await runner.run("sbatch", submission.arguments)
        // `--parsable` prints `id` or `id;cluster`.
        let id = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isASCIIDigit) else {
            throw SlurmOutputError(command: "sbatch " + submission.arguments.joined(separator: " "), field: "job id", message: "expected a number, found '\(output.stdout)'")
        }
        logger.info("job submitted", metadata: ["gridshell.job.id": "\(id)", "gridshell.job.partition": "\(submission.partition)"])
        return id
    }

    /// The job's state word folded, or nil once Slurm no longer knows the job.
    func state(of id: String) async throws -> ComputeJob.State? {
        do {
            let out = try await runner.run("squeue", ["--noheader", "--jobs=\(id)", "--states=all", "--format=%T"])
            let word = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return word.isEmpty ? nil : SlurmJSON.state(word)
        } catch {
            if error.stderr.contains("Invalid job id") { return nil }
            throw error
        }
    }

    func command(_ name: String, _ arguments: [String], job: String) async throws {
        _ = try await runner.run(name, arguments)
        logger.debug("slurm command done", metadata: ["gridshell.job.id": "\(job)", "gridshell.slurm.command": "\(name) \(arguments.first ?? "")"])
    }

    /// A job id as Slurm takes it (`123` or `123_4`), so nothing else reaches the command line.
    func checked(_ job: ComputeJob.ID) throws -> String {
        let parts = job.split(separator: "_", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw SlurmCommandError(job: job, message: "not a Slurm job id (expected digits, or digits_digits for an array task)")
        }
        return job
    }
}

/// A command Gridshell refuses to send because its input is wrong.
public struct SlurmCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var job: String
    public var message: String
    public var description: String { "job '\(job)': \(message)" }
}

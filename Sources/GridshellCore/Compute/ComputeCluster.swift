import Foundation

/// The AI side's scheduler, as the dispatcher sees it: read the jobs and nodes, and the few
/// commands that trade AI throughput for power. Slurm implements it (GridshellCompute); tests
/// may put an in-memory cluster in its place.
///
/// Every command names one job by its scheduler id and throws when the scheduler refuses it;
/// the error says which command, which job and what the scheduler answered.
public protocol ComputeCluster: Sendable {
    /// Every job the scheduler still knows (finished ones until it forgets them).
    func jobs() async throws -> [ComputeJob]
    /// Every node with its GPUs and their allocation.
    func nodes() async throws -> [ComputeNode]

    /// Keeps a pending job from starting (a running job keeps running).
    func hold(_ job: ComputeJob.ID) async throws
    /// Lets a held job start again, within seconds even after a requeue (whose own delay in
    /// Slurm is minutes).
    func release(_ job: ComputeJob.ID) async throws
    /// Sets the job's scheduling priority (higher starts first).
    func setPriority(_ job: ComputeJob.ID, _ priority: Int) async throws
    /// Asks a running job to write a checkpoint (SIGUSR1 to its batch script) and waits up to
    /// `graceSeconds` for it to leave the running state on its own; the answer says whether it did.
    func signalCheckpoint(_ job: ComputeJob.ID, graceSeconds: Double) async throws -> CheckpointOutcome
    /// Stops a running job and puts it back in the queue, which frees its GPUs (suspending would
    /// not). With `hold`, it stays pending until released.
    func requeue(_ job: ComputeJob.ID, hold: Bool) async throws
    /// Ends a job for good (batch work that can be dropped).
    func cancel(_ job: ComputeJob.ID) async throws
}

/// What became of a job asked to checkpoint.
public enum CheckpointOutcome: Sendable, Equatable {
    /// It left the running state within the grace time (requeued itself, or ended), in `state`.
    case stopped(ComputeJob.State)
    /// It still ran when the grace time was up; requeue it to take its GPUs back.
    case stillRunning
}

/// A scheduler that can carry the cap Gridshell holds a job to, so the power agents on every
/// node of a multi-node cluster read it from the scheduler they already ask for their jobs.
public protocol ComputeCapBoard: Sendable {
    /// Publishes `fraction` of full GPU power as `job`'s cap; nil withdraws it.
    func publishCap(_ fraction: Double?, job: ComputeJob) async throws
}

import Foundation
import GridshellCore

/// Reads `squeue --json` and `sinfo --json` (Slurm 22.05's openapi/v0.0.38 shape; later shapes
/// where numbers and states are wrapped are read too where it costs nothing).
public enum SlurmJSON {
    /// The jobs in `squeue --json` output, tagged by `tagger`.
    public static func jobs(_ data: Data, tagger: JobTagger, command: String = "squeue --json") throws -> [ComputeJob] {
        let reply: JobsReply = try decode(data, command: command)
        try checkErrors(reply.errors, command: command)
        var out: [ComputeJob] = []
        for (i, raw) in reply.jobs.enumerated() {
            out.append(try job(raw, tagger: tagger, command: command, at: i))
        }
        return out
    }

    /// The nodes in `sinfo --json` output.
    public static func nodes(_ data: Data, command: String = "sinfo --json") throws -> [ComputeNode] {
        let reply: NodesReply = try decode(data, command: command)
        try checkErrors(reply.errors, command: command)
        var out: [ComputeNode] = []
        for raw in reply.nodes {
            let field = "nodes[\(raw.name)]"
            do {
                let total = GRES.gpuCount(try GRES.parseList(raw.gres ?? ""))
                let used = try GRES.parseList(raw.gres_used ?? "").filter { $0.name == "gpu" }
                let indices = used.flatMap { $0.indices ?? [] }.sorted()
                let allocated = used.reduce(0) { $0 + $1.count }
                guard allocated <= total else {
                    throw SlurmOutputError(command: command, field: "\(field).gres_used", message: "\(allocated) GPUs in use but the node has \(total)")
                }
                out.append(ComputeNode(
                    name: raw.name, state: raw.state.lowercased(), gpusTotal: total, gpusAllocated: allocated,
                    allocatedIndices: indices, partitions: raw.partitions ?? [], cpus: raw.cpus ?? 0, cpusAllocated: raw.alloc_cpus ?? 0))
            } catch let error as GRESError {
                throw SlurmOutputError(command: command, field: "\(field).gres", message: error.description)
            } catch let error as SlurmOutputError {
                throw error
            } catch {
                throw SlurmOutputError(command: command, field: field, message: "\(error)")
            }
        }
        return out
    }

    /// Slurm job state words folded into the job states Gridshell acts on.
    public static func state(_ word: String) -> ComputeJob.State {
        switch word.uppercased() {
        case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED": .pending
        case "RUNNING", "CONFIGURING", "RESIZING", "SIGNALING", "STAGE_OUT": .running
        case "SUSPENDED", "STOPPED": .suspended
        case "COMPLETING": .completing
        case "COMPLETED": .completed
        case "CANCELLED": .cancelled
        case "FAILED", "BOOT_FAIL", "NODE_FAIL", "OUT_OF_MEMORY", "TIMEOUT", "DEADLINE": .failed
        case "PREEMPTED": .preempted
        default: .other
        }
    }

    static func job(_ raw: RawJob, tagger: JobTagger, command: String, at index: Int) throws -> ComputeJob {
        let id = raw.array_task_id.flatMap { task in (raw.array_job_id ?? 0) > 0 ? "\(raw.array_job_id!)_\(task)" : nil } ?? String(raw.job_id)
        let field = "jobs[\(index)] (job \(id))"
        guard let stateWord = raw.job_state.first, !stateWord.isEmpty, stateWord.allSatisfy({ $0.isUppercase || $0 == "_" }) else {
            throw SlurmOutputError(command: command, field: "\(field).job_state", message: "expected a state word such as RUNNING, found \(raw.job_state)")
        }
        let state = state(stateWord)
        let nodes: [String]
        do { nodes = try Hostlist.expand(raw.nodes ?? "") } catch {
            throw SlurmOutputError(command: command, field: "\(field).nodes", message: error.description)
        }
        var indices: [String: [Int]] = [:]
        var gpus = 0
        do {
            let detail = raw.gres_detail ?? []
            if !detail.isEmpty {
                guard detail.count == nodes.count else {
                    throw SlurmOutputError(command: command, field: "\(field).gres_detail", message: "\(detail.count) entries for \(nodes.count) nodes")
                }
                for (node, text) in zip(nodes, detail) {
                    let list = try GRES.parseList(text).filter { $0.name == "gpu" }
                    gpus += list.reduce(0) { $0 + $1.count }
                    let idx = list.flatMap { $0.indices ?? [] }
                    if !idx.isEmpty { indices[node] = idx.sorted() }
                }
            } else if let perJob = raw.tres_per_job, !perJob.isEmpty {
                gpus = GRES.gpuCount(try GRES.parseList(perJob))
            } else if let perNode = raw.tres_per_node, !perNode.isEmpty {
                gpus = GRES.gpuCount(try GRES.parseList(perNode)) * max(raw.node_count ?? 1, 1)
            }
        } catch let error as GRESError {
            throw SlurmOutputError(command: command, field: "\(field).gres", message: error.description)
        } catch let error as SlurmOutputError {
            throw error
        } catch {
            throw SlurmOutputError(command: command, field: field, message: "\(error)")
        }
        let comment = raw.comment ?? ""
        let qos = raw.qos ?? ""
        let tag = tagger.tag(comment: comment, qos: qos, partition: raw.partition, name: raw.name)
        let reason = raw.state_reason ?? ""
        let priority = raw.priority ?? 0
        let held = state == .pending && (reason.hasPrefix("JobHeld") || reason == "job requeued in held state" || priority == 0)
        return ComputeJob(
            id: id, name: raw.name, partition: raw.partition, state: state, reason: reason == "None" ? "" : reason,
            nodes: state == .pending ? [] : nodes, gpuCount: gpus, gpuIndices: indices, flexTier: tag.flexTier,
            profile: tag.profile, tagSource: tag.source, tagIssue: tag.issue?.description, priority: priority, held: held,
            requeueCount: raw.restart_cnt ?? 0, submitTime: date(raw.submit_time), startTime: state == .pending ? nil : date(raw.start_time),
            comment: comment, qos: qos, user: raw.user_name ?? "", adminComment: raw.admin_comment ?? "")
    }

    static func date(_ epoch: Int?) -> Date? {
        guard let epoch, epoch > 0 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(epoch))
    }

    static func decode<T: Decodable>(_ data: Data, command: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SlurmOutputError(command: command, field: path(context.codingPath + [key]), message: "missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw SlurmOutputError(command: command, field: path(context.codingPath), message: "expected \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw SlurmOutputError(command: command, field: path(context.codingPath), message: "expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.isEmpty ? "(document)" : path(context.codingPath)
            throw SlurmOutputError(command: command, field: field, message: "not JSON: \(context.debugDescription)")
        } catch {
            throw SlurmOutputError(command: command, field: "(document)", message: "\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
    }

    static func checkErrors(_ errors: [SlurmError]?, command: String) throws {
        guard let first = errors?.first else { return }
        throw SlurmOutputError(command: command, field: "errors", message: "Slurm reported: \(first.error ?? first.description ?? "an error") (code \(first.error_number ?? -1))")
    }
}

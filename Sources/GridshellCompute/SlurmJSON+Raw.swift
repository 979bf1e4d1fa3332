import Foundation

// The parts of Slurm's JSON Gridshell reads; every other field is ignored. Names follow the
// JSON keys.

struct JobsReply: Decodable {
    var jobs: [RawJob]
    var errors: [SlurmError]?
}

struct NodesReply: Decodable {
    var nodes: [RawNode]
    var errors: [SlurmError]?
}

struct SlurmError: Decodable {
    var error: String?
    var description: String?
    var error_number: Int?
}

struct RawJob: Decodable {
    var job_id: Int
    var name: String
    var partition: String
    /// One word in 22.05, a list of words (state and flags) in later versions.
    var job_state: [String]
    var state_reason: String?
    var nodes: String?
    var node_count: Int?
    var gres_detail: [String]?
    var tres_per_node: String?
    var tres_per_job: String?
    var priority: Int?
    var restart_cnt: Int?
    var submit_time: Int?
    var start_time: Int?
    var comment: String?
    var admin_comment: String?
    var qos: String?
    var user_name: String?
    var array_job_id: Int?
    var array_task_id: Int?

    enum CodingKeys: String, CodingKey {
        case job_id, name, partition, job_state, state_reason, nodes, node_count, gres_detail, tres_per_node, tres_per_job
        case priority, restart_cnt, submit_time, start_time, comment, admin_comment, qos, user_name, array_job_id, array_task_id
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        job_id = try c.decode(SlurmNumber.self, forKey: .job_id).required(c, .job_id)
        name = try c.decode(String.self, forKey: .name)
        partition = try c.decode(String.self, forKey: .partition)
        if let word = try? c.decode(String.self, forKey: .job_state) {
            job_state = [word]
        } else {
            job_state = try c.decode([String].self, forKey: .job_state)
        }
        state_reason = try c.decodeIfPresent(String.self, forKey: .state_reason)
        nodes = try c.decodeIfPresent(String.self, forKey: .nodes)
        node_count = try c.decodeIfPresent(SlurmNumber.self, forKey: .node_count)?.value
        gres_detail = try c.decodeIfPresent([String].self, forKey: .gres_detail)
        tres_per_node = try c.decodeIfPresent(String.self, forKey: .tres_per_node)
        tres_per_job = try c.decodeIfPresent(String.self, forKey: .tres_per_job)
        priority = try c.decodeIfPresent(SlurmNumber.self, forKey: .priority)?.value
        restart_cnt = try c.decodeIfPresent(SlurmNumber.self, forKey: .restart_cnt)?.value
        submit_time = try c.decodeIfPresent(SlurmNumber.self, forKey: .submit_time)?.value
        start_time = try c.decodeIfPresent(SlurmNumber.self, forKey: .start_time)?.value
        comment = try c.decodeIfPresent(String.self, forKey: .comment)
        admin_comment = try c.decodeIfPresent(String.self, forKey: .admin_comment)
        qos = try c.decodeIfPresent(String.self, forKey: .qos)
        user_name = try c.decodeIfPresent(String.self, forKey: .user_name)
        array_job_id = try c.decodeIfPresent(SlurmNumber.self, forKey: .array_job_id)?.value
        array_task_id = try c.decodeIfPresent(SlurmNumber.self, forKey: .array_task_id)?.value
    }
}

struct RawNode: Decodable {
    var name: String
    var state: String
    var gres: String?
    var gres_used: String?
    var partitions: [String]?
    var cpus: Int?
    var alloc_cpus: Int?

    enum CodingKeys: String, CodingKey { case name, state, gres, gres_used, partitions, cpus, alloc_cpus }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        if let word = try? c.decode(String.self, forKey: .state) {
            state = word
        } else {
            // Later versions give the state and its flags as a list.
            state = try c.decode([String].self, forKey: .state).first ?? ""
        }
        gres = try c.decodeIfPresent(String.self, forKey: .gres)
        gres_used = try c.decodeIfPresent(String.self, forKey: .gres_used)
        partitions = try c.decodeIfPresent([String].self, forKey: .partitions)
        cpus = try c.decodeIfPresent(SlurmNumber.self, forKey: .cpus)?.value
        alloc_cpus = try c.decodeIfPresent(SlurmNumber.self, forKey: .alloc_cpus)?.value
    }
}

/// A whole number as Slurm writes it: a plain number (22.05) or `{"set": true, "number": N}`
/// (later versions); null or unset reads as nil.
struct SlurmNumber: Decodable {
    var value: Int?

    enum CodingKeys: String, CodingKey { case set, infinite, number }

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { value = nil; return }
        if let n = try? single.decode(Int.self) { value = n; return }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let set = try c.decodeIfPresent(Bool.self, forKey: .set) ?? true
        let infinite = try c.decodeIfPresent(Bool.self, forKey: .infinite) ?? false
        value = set && !infinite ? try c.decodeIfPresent(Int.self, forKey: .number) : nil
    }

    func required<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Int {
        guard let value else {
            throw DecodingError.valueNotFound(Int.self, .init(codingPath: container.codingPath + [key], debugDescription: "unset"))
        }
        return value
    }
}

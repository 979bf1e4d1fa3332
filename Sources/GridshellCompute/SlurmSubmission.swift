/// A batch job to hand to `sbatch`: what tests, demos and operators' tooling submit.
public struct SlurmSubmission: Sendable, Equatable {
    /// Path of the job script (a shell script).
    public var script: String
    public var name: String
    public var partition: String
    /// GPUs per node.
    public var gpusPerNode: Int
    public var nodes: Int
    /// The job comment, e.g. `gridshell:flex=3,profile=training`.
    public var comment: String?
    public var qos: String?
    /// Where the job's output goes (`%j` is the job id).
    public var output: String?
    public var hold: Bool
    /// Extra `sbatch` options, passed as they are.
    public var extra: [String]

    public init(
        script: String, name: String, partition: String, gpusPerNode: Int = 0, nodes: Int = 1, comment: String? = nil,
        qos: String? = nil, output: String? = nil, hold: Bool = false, extra: [String] = []
    ) {
        self.script = script
        self.name = name
        self.partition = partition
        self.gpusPerNode = gpusPerNode
        self.nodes = nodes
        self.comment = comment
        self.qos = qos
        self.output = output
        self.hold = hold
        self.extra = extra
    }

    /// The `sbatch` arguments, the script last.
    public var arguments: [String] {
        var args = ["--parsable", "--job-name=\(name)", "--partition=\(partition)", "--nodes=\(nodes)"]
        if gpusPerNode > 0 { args.append("--gres=gpu:\(gpusPerNode)") }
        if let comment { args.append("--comment=\(comment)") }
        if let qos { args.append("--qos=\(qos)") }
        if let output { args.append("--output=\(output)") }
        if hold { args.append("--hold") }
        return args + extra + [script]
    }
}

/// A GPU node as the scheduler reports it.
public struct ComputeNode: Sendable, Equatable, Identifiable {
    /// The node's name, which is what the scheduler knows it by.
    public var id: String { name }
    public var name: String
    /// The scheduler's state word in lower case (`idle`, `mixed`, `allocated`, `down`,
    /// `drain`, `completing`…), flags dropped.
    public var state: String
    public var gpusTotal: Int
    public var gpusAllocated: Int
    /// GPU indices in use on the node, when the scheduler says.
    public var allocatedIndices: [Int]
    public var partitions: [String]
    public var cpus: Int
    public var cpusAllocated: Int

    public init(
        name: String, state: String, gpusTotal: Int, gpusAllocated: Int, allocatedIndices: [Int] = [],
        partitions: [String] = [], cpus: Int = 0, cpusAllocated: Int = 0
    ) {
        self.name = name
        self.state = state
        self.gpusTotal = gpusTotal
        self.gpusAllocated = gpusAllocated
        self.allocatedIndices = allocatedIndices
        self.partitions = partitions
        self.cpus = cpus
        self.cpusAllocated = cpusAllocated
    }

    /// Can take work: up and not drained.
    public var isAvailable: Bool { !["down", "drain", "drained", "draining", "fail", "failing", "unknown"].contains(state) }
}

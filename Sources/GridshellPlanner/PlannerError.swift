/// Inputs the planner cannot work with, each naming the field and what was expected.
public struct PlannerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The assumption at fault, as the site file spells it (`strategy.lease.term_years`).
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

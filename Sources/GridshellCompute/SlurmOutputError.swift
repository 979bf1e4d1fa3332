/// Output from a Slurm command that Gridshell cannot read: names the command, the field (or
/// the job or node it was reading) and what was expected.
public struct SlurmOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var field: String
    public var message: String

    public init(command: String, field: String, message: String) {
        self.command = command
        self.field = field
        self.message = message
    }

    public var description: String { "`\(command)` output, \(field): \(message)" }
}

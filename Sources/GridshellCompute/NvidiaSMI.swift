import Foundation
import GridshellCore

/// The GPUs of this machine through `nvidia-smi`: power readings with `--query-gpu`, limits
/// with `-pl` (which needs root). Point `executable` at scripts/fake-nvidia-smi to test without
/// GPUs.
public struct NvidiaSMI: GPUPowerControl {
    public var executable: String
    public var runner: CommandRunner

    /// The fields read, in order.
    public static let queryFields = [
        "index", "uuid", "name", "power.draw", "power.limit", "power.min_limit", "power.max_limit", "enforced.power.limit",
    ]

    /// - Parameter environment: variables for the tool (the fake's state directory, say).
    public init(executable: String = "nvidia-smi", environment: [String: String] = [:], timeoutSeconds: Double = 15) {
        self.executable = executable
        self.runner = CommandRunner(environment: environment, timeoutSeconds: timeoutSeconds)
    }

    public func readings() async throws -> [GPUReading] {
        let args = ["--query-gpu=" + Self.queryFields.joined(separator: ","), "--format=csv,noheader,nounits"]
        let output = try await runner.run(executable, args)
        return try Self.parse(output.stdout, command: ([executable] + args).joined(separator: " "))
    }

    public func setPowerLimit(index: Int, watts: Double) async throws {
        guard index >= 0, watts.isFinite, watts > 0 else {
            throw GPUPowerError(gpu: index, message: "cannot set a power limit of \(watts) W")
        }
        // nvidia-smi takes watts with up to two decimals.
        _ = try await runner.run(executable, ["-i", String(index), "-pl", String(format: "%.2f", watts)])
    }

    /// Reads `--format=csv,noheader,nounits` output of `queryFields`: one GPU a line, fields
    /// split on ", ". `[N/A]` and `[Not Supported]` read as absent values; anything else that
    /// is not a number is an error naming the line and field.
    public static func parse(_ text: String, command: String = "nvidia-smi --query-gpu") throws -> [GPUReading] {
        var out: [GPUReading] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.components(separatedBy: ", ")
            guard fields.count == queryFields.count else {
                throw NvidiaSMIOutputError(command: command, line: n + 1, field: "line", message: "expected \(queryFields.count) fields separated by ', ', found \(fields.count): '\(line)'")
            }
            guard let index = Int(fields[0]), index >= 0 else {
                throw NvidiaSMIOutputError(command: command, line: n + 1, field: "index", message: "expected a whole number, found '\(fields[0])'")
            }
            func watts(_ i: Int) throws -> Double? {
                let f = fields[i].trimmingCharacters(in: .whitespaces)
                if f.hasPrefix("[") && f.hasSuffix("]") { return nil }  // [N/A], [Not Supported], [Unknown Error]
                guard let w = Double(f), w.isFinite, w >= 0 else {
                    throw NvidiaSMIOutputError(command: command, line: n + 1, field: queryFields[i], message: "expected watts, found '\(f)'")
                }
                return w
            }
            let reading = GPUReading(
                index: index, uuid: fields[1], name: fields[2], powerDrawW: try watts(3), powerLimitW: try watts(4),
                enforcedLimitW: try watts(7), minLimitW: try watts(5), maxLimitW: try watts(6))
            if let lo = reading.minLimitW, let hi = reading.maxLimitW, lo > hi {
                throw NvidiaSMIOutputError(command: command, line: n + 1, field: "power.min_limit", message: "minimum \(lo) W above maximum \(hi) W")
            }
            guard !out.contains(where: { $0.index == index }) else {
                throw NvidiaSMIOutputError(command: command, line: n + 1, field: "index", message: "GPU \(index) listed twice")
            }
            out.append(reading)
        }
        return out
    }
}

/// nvidia-smi output that does not read: names the command, the line, the field and what was
/// expected.
public struct NvidiaSMIOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var line: Int
    public var field: String
    public var message: String
    public var description: String { "`\(command)` output line \(line), \(field): \(message)" }
}

/// A power cap that cannot be applied to a GPU.
public struct GPUPowerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var gpu: Int
    public var message: String
    public init(gpu: Int, message: String) {
        self.gpu = gpu
        self.message = message
    }
    public var description: String { "GPU \(gpu): \(message)" }
}

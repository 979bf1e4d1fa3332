import Foundation

/// What a finished command printed and how it exited.
public struct CommandOutput: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A command that could not run or did not succeed: names the command line, the exit status and
/// what it printed on standard error (and standard output, where tools such as nvidia-smi print
/// their errors).
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not found on the search path.
        case notFound
        /// Exited with a non-zero status.
        case failed(status: Int32)
        /// Killed after running longer than allowed, in seconds.
        case timedOut(seconds: Double)
        /// The operating system refused to start it.
        case launch(String)
    }

    public var command: String
    public var kind: Kind
    public var stderr: String
    public var stdout: String

    public init(command: String, kind: Kind, stderr: String = "", stdout: String = "") {
        self.command = command
        self.kind = kind
        self.stderr = stderr
        self.stdout = stdout
    }

    public var description: String {
        let said = [stderr, stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let tail = said.isEmpty ? "" : ": " + said.joined(separator: " / ")
        switch kind {
        case .notFound: return "`\(command)`: command not found on the search path"
        case .failed(let status): return "`\(command)` exited with status \(status)\(tail)"
        case .timedOut(let seconds): return "`\(command)` did not finish within \(seconds) s and was killed\(tail)"
        case .launch(let reason): return "`\(command)` could not be started: \(reason)"
        }
    }
}

/// Runs commands with Foundation's `Process`, off the caller's thread, with a time limit.
public struct CommandRunner: Sendable {
    /// Variables added to the inherited environment (e.g. `SLURM_CONF`).
    public var environment: [String: String]
    /// Directories searched before `PATH` for the executable.
    public var searchPaths: [String]
    /// The longest a command may run, in seconds.
    public var timeoutSeconds: Double

    public init(environment: [String: String] = [:], searchPaths: [String] = [], timeoutSeconds: Double = 30) {
        self.environment = environment
        self.searchPaths = searchPaths
        self.timeoutSeconds = timeoutSeconds
    }

    /// The executable's full path: a name with a slash is taken as it is, others are looked up.
    public func resolve(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = (environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "")
        let dirs = searchPaths + path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name args…` and returns its output; throws `CommandError` when it is missing, fails
    /// or runs too long.
    public func run(_ name: String, _ arguments: [String]) async throws(CommandError) -> CommandOutput {
        let line = ([name] + arguments).joined(separator: " ")
        guard let path = resolve(name) else { throw CommandError(command: line, kind: .notFound) }
        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let timeout = timeoutSeconds
        let result: Result<CommandOutput, CommandError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.runBlocking(path: path, arguments: arguments, environment: env, line: line, timeout: timeout))
            }
        }
        let output = try result.get()
        guard output.status == 0 else {
            throw CommandError(command: line, kind: .failed(status: output.status), stderr: output.stderr, stdout: output.stdout)
        }
        return output
    }

    private static func runBlocking(
        path: String, arguments: [String], environment: [String: String], line: String, timeout: Double
    ) -> Result<CommandOutput, CommandError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return .failure(CommandError(command: line, kind: .launch("\(error)")))
        }
        // Both pipes are drained while the command runs, so a large answer cannot block it.
        let group = DispatchGroup()
        let stdoutBox = DataBox(), stderrBox = DataBox()
        for (pipe, box) in [(out, stdoutBox), (err, stderrBox)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        var timedOut = false
        if group.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if group.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            group.wait()
        }
        process.waitUntilExit()
        let stdout = String(decoding: stdoutBox.data, as: UTF8.self)
        let stderr = String(decoding: stderrBox.data, as: UTF8.self)
        if timedOut {
            return .failure(CommandError(command: line, kind: .timedOut(seconds: timeout), stderr: stderr, stdout: stdout))
        }
        return .success(CommandOutput(status: process.terminationStatus, stdout: stdout, stderr: stderr))
    }
}

/// A reader thread's result, handed back through the dispatch group's happens-before edge.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

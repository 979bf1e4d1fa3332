import Foundation
import GridshellCore

// Children the tests start with Foundation's `Process` (python peers, openssl, the gridshell
// binary), waited for off the cooperative pool.

/// How a child process ended and what it printed.
public struct FinishedProcess: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable arguments…` (in `directory`, if given) to its end off the cooperative pool.
/// Both outputs are read at once, so a command that fills one pipe while the other is read
/// cannot stall.
public func runToEnd(_ executable: URL, _ arguments: [String], in directory: URL? = nil) async throws -> FinishedProcess {
    try await offThePool {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = PipeDrain(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.wait()
        process.waitUntilExit()
        return FinishedProcess(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// A pipe read to its end on a thread of its own.
private final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Waits, off the cooperative pool, for a child started with Foundation's `Process` to end.
public func waitForExit(_ process: Process) async {
    let child = UncheckedSendable(process)
    await offThePool { child.value.waitUntilExit() }
}

/// A value handed to another thread that only that thread uses meanwhile.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

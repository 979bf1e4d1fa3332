import Foundation
import GridshellCore

/// What a finished command printed and how it exited.
public struct CommandOutput: Sendable, Equatable {
    /// The exit status, or 128 + the signal that ended the command.
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

/// Runs commands off the caller's thread, with a time limit.
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
        let result = await offThePool { Self.runBlocking(path: path, arguments: arguments, environment: env, line: line, timeout: timeout) }
        let output = try result.get()
        guard output.status == 0 else {
            throw CommandError(command: line, kind: .failed(status: output.status), stderr: output.stderr, stdout: output.stdout)
        }
        return output
    }

    /// Spawns with `posix_spawn` and reaps with `waitpid` on this very pid, on a thread of its
    /// own. Foundation's `Process` reaps children from Dispatch's pool; while that pool (about
    /// one thread per core here) was busy with blocking pipe reads, a finished child went
    /// unreaped and its caller waited for ever.
    private static func runBlocking(
        path: String, arguments: [String], environment: [String: String], line: String, timeout: Double
    ) -> Result<CommandOutput, CommandError> {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard cloexecPipe(&outPipe) else { return .failure(CommandError(command: line, kind: .launch("pipe: errno \(errno)"))) }
        guard cloexecPipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            return .failure(CommandError(command: line, kind: .launch("pipe: errno \(errno)")))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout ends whatever it started too; default signals.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            return .failure(CommandError(command: line, kind: .launch(String(cString: strerror(spawned)))))
        }
        // One thread per command does everything: drains both pipes (so a large answer cannot
        // block the command), reaps the command, and enforces the time limit. Blocking work is
        // kept off Dispatch's pool, which has about one thread per core here.
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var output = [Data(), Data()]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let started = ContinuousClock.now
        var status: Int32 = 0
        var exitedAt: ContinuousClock.Instant?
        var killedAt: ContinuousClock.Instant?
        var timedOut = false
        while true {
            let now = ContinuousClock.now
            if exitedAt == nil, waitpid(pid, &status, WNOHANG) == pid { exitedAt = now }
            let open = fds.filter { $0.fd >= 0 }.count
            // A child the command left running may hold the pipes open; what was read within a
            // second of the exit is the answer.
            if let exitedAt, open == 0 || now - exitedAt > .seconds(1) { break }
            if exitedAt == nil {
                if killedAt == nil, now - started > .milliseconds(Int(timeout * 1000)) {
                    timedOut = true
                    killedAt = now
                    kill(-pid, SIGTERM)
                } else if let killedAt, now - killedAt > .seconds(2) {
                    kill(-pid, SIGKILL)
                }
            }
            if open == 0 {
                usleep(5_000)
                continue
            }
            _ = poll(&fds, nfds_t(fds.count), 20)
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    output[i].append(contentsOf: buffer[0..<n])
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[i].fd)
                    fds[i].fd = -1
                }
            }
        }
        for fd in fds where fd.fd >= 0 { close(fd.fd) }
        let stdout = String(decoding: output[0], as: UTF8.self)
        let stderr = String(decoding: output[1], as: UTF8.self)
        if timedOut {
            return .failure(CommandError(command: line, kind: .timedOut(seconds: timeout), stderr: stderr, stdout: stdout))
        }
        // Exit code, or 128 + the signal that ended it, as shells report it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return .success(CommandOutput(status: code, stdout: stdout, stderr: stderr))
    }

    /// The command gets standard input, output and error only. Without this it inherits every
    /// descriptor the process holds without close-on-exec (Foundation's `Pipe`s among them): a
    /// daemon it starts (slurmctld) then holds another reader's pipe open, and that reader waits
    /// for the daemon to exit instead of its own command.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        // Older C libraries: close what is open now, as listed by the kernel.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which its headers do not show
    /// to Swift; nil where the C library lacks it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// A pipe whose ends are not inherited by other commands started meanwhile.
    private static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }
}

import Foundation
import GridshellCompute
import Testing

@Suite struct CommandRunnerTests {
    let runner = CommandRunner(timeoutSeconds: 5)

    @Test func failureNamesCommandStatusAndStderr() async throws {
        await #expect {
            try await runner.run("sh", ["-c", "echo nope >&2; exit 3"])
        } throws: { error in
            guard let e = error as? CommandError else { return false }
            return e.kind == .failed(status: 3) && e.description == "`sh -c echo nope >&2; exit 3` exited with status 3: nope"
        }
    }

    @Test func missingCommand() async {
        await #expect { try await runner.run("no-such-tool-gridshell", []) } throws: { ($0 as? CommandError)?.kind == .notFound }
    }

    @Test func largeOutputIsReadWhole() async throws {
        let out = try await runner.run("sh", ["-c", "head -c 1000000 /dev/zero | tr '\\\\0' x; echo done >&2"])
        #expect(out.stdout.utf8.count == 1_000_000 && out.stderr == "done\n")
    }

    @Test func timeoutKillsTheCommand() async {
        let quick = CommandRunner(timeoutSeconds: 0.5)
        let began = Date()
        await #expect { try await quick.run("sleep", ["10"]) } throws: { ($0 as? CommandError)?.kind == .timedOut(seconds: 0.5) }
        // `timedOut` is only reported when the command was killed before it ended by itself (an
        // exit seen first wins), so the error above is the proof; the clock only rules out a
        // hang (a loaded machine's test pool can delay the answer by seconds).
        #expect(Date().timeIntervalSince(began) < 60)
    }

    /// A command gets standard input, output and error only. A daemon it starts (slurmctld) that
    /// inherited another reader's pipe would keep that reader waiting until the daemon exits.
    @Test func theCommandInheritsNoOtherDescriptor() async throws {
        let pipe = Pipe()  // Foundation's pipes are not close-on-exec
        defer { try? pipe.fileHandleForReading.close(); try? pipe.fileHandleForWriting.close() }
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(pipe.fileHandleForWriting.fileDescriptor)")
        #expect(link.hasPrefix("pipe:["))
        // What each of the shell's descriptors points to (the glob's own directory among them).
        let out = try await runner.run("sh", ["-c", "for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done"])
        let open = out.stdout.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        #expect(Set(open.compactMap { Int32($0[0]) }).isSuperset(of: [0, 1, 2]), "\(open)")
        #expect(!open.contains { $0.count == 2 && $0[1] == link }, "the command holds this process's \(link): \(open)")
    }

    @Test func aChildLeftRunningDoesNotHoldTheAnswer() async throws {
        let began = Date()
        let out = try await runner.run("sh", ["-c", "sleep 60 & echo started"])
        #expect(out.stdout == "started\n")
        // Answered when the shell exits, not when its child does (60 s).
        #expect(Date().timeIntervalSince(began) < 50)
    }

    @Test func environmentIsPassed() async throws {
        let out = try await CommandRunner(environment: ["GRIDSHELL_PROBE": "42"]).run("sh", ["-c", "echo $GRIDSHELL_PROBE"])
        #expect(out.stdout == "42\n")
    }
}

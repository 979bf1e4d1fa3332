import ArgumentParser
import Foundation
import GridshellCore

/// The `gridshell` command line.
@available(macOS 10.15, *)
public struct GridshellCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gridshell",
        abstract: "Runs a hybrid Bitcoin-mining and AI site: economics, dispatch and the grid.",
        discussion: """
            Exit codes: 0 success; 65 the input file is invalid (every problem is listed as \
            file:line: key: message); 66 a file cannot be read; 64 bad command-line usage.
            """,
        version: "0.1.0",
        subcommands: [ValidateCommand.self, HashpriceCommand.self, BreakevenCommand.self, DispatchCommand.self, BacktestCommand.self, CatalogCommand.self, SimulateFleetCommand.self, FleetCommand.self, ServeCommand.self, DemoCommand.self, TokenCommand.self, ComputeCommand.self, PlanCommand.self]
    )

    public init() {}
}

/// Exit codes scripts can rely on (from sysexits.h).
enum Exit {
    static let invalidInput = ExitCode(65)
    static let cannotRead = ExitCode(66)
}

/// Writes a message to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Loads a site, printing every problem and exiting with the right code when it is bad.
func loadSite(_ path: String) throws -> Site {
    do {
        return try SiteLoader.load(path: path)
    } catch {
        printError(error.description)
        let unreadable = error.issues.count == 1 && error.issues[0].line == 0
        throw unreadable ? Exit.cannotRead : Exit.invalidInput
    }
}

@available(macOS 10.15, *)
extension GridshellCommand {
    /// Parses the command line and runs the chosen command, awaiting it when it is async.
    public static func runAsync() async {
        do {
            var command = try await asyncParseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

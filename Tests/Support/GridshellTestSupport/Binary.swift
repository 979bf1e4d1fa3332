import Foundation

/// The package's folder.
public let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `gridshell` binary built with the tests: beside the test bundle (whatever the scratch
/// path), else in the package's usual build folders.
public func gridshellBinary() throws -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gridshell")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    for folder in [".build/debug", ".build/release", ".build/x86_64-unknown-linux-gnu/debug"] {
        let url = packageRoot.appendingPathComponent(folder).appendingPathComponent("gridshell")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "gridshell binary: run 'swift build' (make test does) first"])
}

import Foundation

/// Files the tests read from the package tree.
enum TestData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }
    static let btcHistoryPath = path("data/btc/btc_daily_2019_2025.csv")
}

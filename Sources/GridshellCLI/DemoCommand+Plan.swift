import Foundation
import GridshellCore
import GridshellPlanner

extension DemoCommand {
    /// The strategic planner's table for the demo site (its own few thousand simulations), and
    /// its HTML report under `folder`/plan.
    static func printPlan(sitePath: String, folder: String) {
        do {
            let site = try SiteLoader.load(path: sitePath)
            let result = try Planner.run(PlanInputs(site: site))
            try PlanCommand.write(result, to: folder + "/plan")
            print("\nStrategic plan (gridshell plan --site examples/demo-hybrid.yaml):\n" + PlanCommand.table(result))
            print("Report with charts: \(folder)/plan/plan.html")
        } catch {
            printError("gridshell demo: the strategic plan failed: \(error)")
        }
    }
}

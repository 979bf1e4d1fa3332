import Foundation
import GridshellCore
import GridshellPlanner
import Hummingbird

/// `POST /api/v1/strategy`: the strategic planner on the served site, the same JSON as
/// `gridshell plan --json`. It changes nothing, so a viewer may call it.
extension SiteAPI {
    /// The most simulations one request may ask for: a request stays well under a second in a
    /// release build; the CLI runs more.
    public static let maxPlanSimulations = 1_000

    /// What a request may override; everything else is the site file's strategy section.
    struct StrategyRequest: Decodable {
        var years: Int?
        var paths: [String]?
        var simulations: Int?
        var seed: Int?
    }

    func addStrategy(_ api: RouterGroup<APIContext>) {
        let site = controller.live.site
        api.post("/strategy") { request, context in
            _ = try context.require(.viewer)
            let body = try await Self.decode(StrategyRequest.self, request, context)
            let result = try Self.plan(site: site, body)
            return try Self.bytes(PlanReport.json(result))
        }
    }

    static func plan(site: Site, _ body: StrategyRequest) throws -> PlanResult {
        var site = site
        site.strategy.simulations = min(site.strategy.simulations, maxPlanSimulations)
        if let years = body.years {
            guard (1...50).contains(years) else { throw APIError(.unprocessableContent, "invalid", "years must be from 1 to 50; got \(years)") }
            site.strategy.years = years
        }
        if let simulations = body.simulations {
            guard (1...maxPlanSimulations).contains(simulations) else {
                throw APIError(.unprocessableContent, "invalid", "simulations must be from 1 to \(maxPlanSimulations); got \(simulations)")
            }
            site.strategy.simulations = simulations
        }
        if let seed = body.seed {
            guard seed >= 0 else { throw APIError(.unprocessableContent, "invalid", "seed must not be negative; got \(seed)") }
            site.strategy.seed = UInt64(seed)
        }
        if let names = body.paths {
            do {
                site.strategy.paths = try StrategyPath.list(names)
            } catch .unknown(let name) {
                throw APIError(.unprocessableContent, "invalid", "paths: unknown path '\(name)'; expected mine, lease, cloud or hybrid")
            } catch .empty {
                throw APIError(.unprocessableContent, "invalid", "paths: give at least one of mine, lease, cloud, hybrid")
            }
        }
        do {
            return try Planner.run(PlanInputs(site: site), workers: 2)
        } catch {
            throw APIError(.unprocessableContent, "invalid", error.description)
        }
    }
}

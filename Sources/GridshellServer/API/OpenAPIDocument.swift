import Foundation
import Yams

/// The API's OpenAPI 3.0 description, served at `/api/v1/openapi.json`. Tests check its paths
/// against `SiteAPI.routes` and call every one of them.
public enum OpenAPIDocument {
    /// The document as JSON (made once from the YAML below).
    public static func json() throws -> Data {
        try cached.get()
    }

    private static let cached: Result<Data, any Error> = Result {
        guard let tree = try Yams.load(yaml: yaml) else { throw APIError(.internalServerError, "internal", "empty OpenAPI document") }
        return try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
    }

    /// "METHOD /path" for every operation the document describes.
    public static func operations() throws -> [String] {
        let tree = try JSONSerialization.jsonObject(with: try json()) as? [String: Any]
        let paths = tree?["paths"] as? [String: Any] ?? [:]
        var result: [String] = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "put", "post", "delete", "patch"].contains(method) {
                result.append("\(method.uppercased()) \(path)")
            }
        }
        return result.sorted()
    }

    static let yaml = #"""
openapi: 3.0.3
info:
  title: Gridshell site API
  version: "1"
  description: |
    The live site controller: its state, plans, ledger, fleet, workloads, grid events and
    prices, and the operator's actions. Every path needs a bearer token (viewer, operator or
    admin; `gridshell token create --role ROLE`) but this document. Errors are JSON:
    {"error": {"status": 403, "code": "forbidden", "message": "..."}}.
servers:
  - url: /
security:
  - bearer: []
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  parameters:
    from:
      name: from
      in: query
      description: Start, ISO 8601 time or YYYY-MM-DD (UTC); by default a window before the site's time.
      schema: {type: string}
    to:
      name: to
      in: query
      description: End (exclusive), ISO 8601 time or YYYY-MM-DD (UTC).
      schema: {type: string}
    limit:
      name: limit
      in: query
      schema: {type: integer, minimum: 1, maximum: 10000}
    address:
      name: address
      in: path
      required: true
      description: The miner's IPv4 address.
      schema: {type: string}
  responses:
    Error:
      description: What was wrong.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [status, code, message]
          properties:
            status: {type: integer}
            code: {type: string}
            message: {type: string}
    State:
      type: object
      description: The site at a glance (what the dashboard shows).
      required: [site, policy, siteTime, wallTime, speed, power, price, miners, groups, today, replayFinished]
      properties:
        site: {type: string}
        policy: {type: string}
        siteTime: {type: string, format: date-time}
        wallTime: {type: string, format: date-time}
        speed: {type: number}
        replayFinished: {type: boolean}
        interval:
          type: object
          properties:
            index: {type: integer}
            of: {type: integer}
            start: {type: string, format: date-time}
            end: {type: string, format: date-time}
        power:
          type: object
          properties:
            firmAIMW: {type: number}
            flexibleAIMW: {type: number}
            miningMW: {type: number}
            headroomMW: {type: number}
            siteMW: {type: number}
            capMW: {type: number}
            interconnectMW: {type: number}
            measuredMiningMW: {type: number}
        price:
          type: object
          properties:
            forecastUSDPerMWh: {type: number}
            lastUSDPerMWh: {type: number}
            hashpriceUSDPerPHDay: {type: number}
        breakEvens:
          type: array
          items:
            type: object
            properties:
              group: {type: string}
              model: {type: string}
              usdPerMWh: {type: number}
        miners:
          type: object
          additionalProperties: {type: integer}
        groups: {type: array, items: {type: object}}
        reasons: {type: array, items: {type: string}}
        unmet: {type: array, items: {type: string}}
        today: {type: object}
        todayNetByInterval: {type: array, items: {type: number}}
        marginUSDPerHour: {type: number}
        overrides: {type: array, items: {$ref: '#/components/schemas/Override'}}
        events: {type: array, items: {type: object}}
    Override:
      type: object
      required: [kind, start, end, createdBy, reason, createdAt]
      properties:
        id: {type: integer}
        kind: {type: string, enum: [curtail-group, resume-group, cap-site, pause-policy]}
        group: {type: string}
        valueMW: {type: number}
        start: {type: string, format: date-time}
        end: {type: string, format: date-time}
        createdBy: {type: string}
        reason: {type: string}
        createdAt: {type: string, format: date-time}
        cancelledAt: {type: string, format: date-time}
    GroupAction:
      type: object
      required: [group, reason]
      properties:
        group: {type: string, description: A miner group of the site file.}
        minutes: {type: number, description: 'Site minutes (default 60; at most 10080).'}
        reason: {type: string, minLength: 1}
    CapAction:
      type: object
      required: [mw, minutes, reason]
      properties:
        mw: {type: number, minimum: 0}
        minutes: {type: number, description: Site minutes, over 0 and at most 10080.}
        reason: {type: string, minLength: 1}
    DeploymentAction:
      type: object
      required: [product, minutes, reason]
      properties:
        product: {type: string, enum: [RRS, ECRS, NON_SPIN, REG_UP, REG_DOWN, ERS_10, ERS_30]}
        mw: {type: number, exclusiveMinimum: true, minimum: 0, description: MW to drop; the whole award unless given.}
        minutes: {type: number, description: Site minutes, over 0 and at most 10080.}
        reason: {type: string, minLength: 1}
    StrategyRequest:
      type: object
      description: Overrides of the site's strategy section; every field optional.
      properties:
        years: {type: integer, minimum: 1, maximum: 50}
        paths:
          type: array
          minItems: 1
          items: {type: string, enum: [mine, lease, cloud, hybrid]}
        simulations: {type: integer, minimum: 1, maximum: 1000}
        seed: {type: integer, minimum: 0}
    StrategyPlan:
      type: object
      required: [site, years, simulations, seed, utilityMW, paths, btcPriceAtHorizon, sensitivity, recommendation, assumptions, monteCarloSeconds]
      properties:
        site: {type: string}
        years: {type: integer}
        simulations: {type: integer}
        seed: {type: integer}
        utilityMW: {type: number}
        paths:
          type: array
          items:
            type: object
            required: [path, summary, yearly, npvUSD, valuePerWattCapRate, valuePerWattDCF, monteCarlo]
            properties:
              path: {type: string}
              summary: {type: string}
              yearly: {type: array, items: {type: object}}
              npvUSD: {type: number}
              irr: {type: number}
              paybackYears: {type: number}
              valuePerWattCapRate: {type: number}
              valuePerWattDCF: {type: number}
              monteCarlo: {type: object}
        btcPriceAtHorizon: {type: object}
        sensitivity: {type: array, items: {type: object}}
        recommendation:
          type: object
          required: [path, reasons]
          properties:
            path: {type: string}
            reasons: {type: array, items: {type: string}}
        assumptions: {type: array, items: {type: object}}
        monteCarloSeconds: {type: number}
    ManualPrice:
      type: object
      required: [usd_per_mwh, reason]
      properties:
        usd_per_mwh: {type: number, minimum: -10000, maximum: 100000}
        reason: {type: string, minLength: 1}
    ManualPeakRisk:
      type: object
      required: [value, reason]
      properties:
        value: {type: number, minimum: 0, maximum: 10000000}
        reason: {type: string, minLength: 1}
    ManualBitcoin:
      type: object
      required: [reason]
      description: At least one of the values.
      properties:
        price_usd: {type: number, exclusiveMinimum: true, minimum: 0}
        difficulty: {type: number, minimum: 1}
        height: {type: integer, minimum: 0, maximum: 100000000}
        fees_per_block_btc: {type: number, minimum: 0, maximum: 1000}
        reason: {type: string, minLength: 1}
    PauseAction:
      type: object
      required: [minutes, reason]
      properties:
        minutes: {type: number}
        reason: {type: string, minLength: 1}
    Policy:
      type: object
      required: [policy]
      properties:
        policy: {type: string, enum: [gridshell, strike, always-on]}
        useDayAhead: {type: boolean}
        riskStartHour: {type: integer}
        riskEndHour: {type: integer}
        riskPriceShare: {type: number}
        strikeUSDPerMWh: {type: number}
        reason: {type: string, description: Required when setting.}
    TokenRequest:
      type: object
      required: [name, role]
      properties:
        name: {type: string}
        role: {type: string, enum: [viewer, operator, admin]}
paths:
  /api/v1/openapi.json:
    get:
      summary: This document (no token needed).
      security: []
      responses:
        '200': {description: The OpenAPI document.}
  /api/v1/state:
    get:
      summary: The site at a glance.
      responses:
        '200':
          description: The state.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/State'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/whoami:
    get:
      summary: The caller's token name and role.
      responses:
        '200': {description: Name and role.}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/plan:
    get:
      summary: The plan in force, with its reasons.
      responses:
        '200': {description: The dispatch plan.}
        '401': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/plans:
    get:
      summary: Plans by interval, newest last.
      parameters:
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
        - $ref: '#/components/parameters/limit'
      responses:
        '200': {description: Plans.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/ledger:
    get:
      summary: Ledger lines by range, with totals; or totals per day or month.
      parameters:
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
        - {name: by, in: query, description: 'interval (every line, the default), day or month (totals per UTC day or calendar month, e.g. power credits per month).', schema: {type: string, enum: [interval, day, month]}}
      responses:
        '200': {description: 'Entries and totals: energy, mining and AI revenue, power and grid credits, penalties, net.'}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/miners:
    get:
      summary: Miners as last polled; filter by group and state.
      parameters:
        - {name: group, in: query, schema: {type: string}}
        - {name: state, in: query, schema: {type: string, enum: [normal, low-power, sleep, ramping, unknown, unreachable]}}
        - $ref: '#/components/parameters/limit'
      responses:
        '200': {description: Miners.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/miners/{address}:
    get:
      summary: One miner's state and telemetry.
      parameters:
        - $ref: '#/components/parameters/address'
      responses:
        '200': {description: The miner.}
        '401': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/miners/{address}/history:
    get:
      summary: One miner's telemetry, raw samples and downsampled buckets.
      parameters:
        - $ref: '#/components/parameters/address'
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
      responses:
        '200': {description: Samples and buckets.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/workloads:
    get:
      summary: AI tenants and jobs, with each job's setting in the plan in force.
      responses:
        '200': {description: Workloads.}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/events:
    get:
      summary: Grid events by range.
      parameters:
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
      responses:
        '200': {description: Events.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/prices:
    get:
      summary: Energy prices by interval, as the site saw them.
      parameters:
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
      responses:
        '200': {description: Prices.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/feeds:
    get:
      summary: The price and Bitcoin feeds, their age, and the fallback the site runs on while one is stale.
      responses:
        '200': {description: Feed status.}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/grid:
    get:
      summary: The grid side. The OpenADR VEN's registration, events and opt answers (null without a VTN), the commitments they put on the plan, and the site's power and curtailable power now.
      responses:
        '200': {description: Grid status.}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/grid/deployments:
    post:
      summary: Pass on the grid operator's deployment of an ancillary award (operator). The site drops the MW below where it stands at once, for the window, and its award floor is lifted while it delivers.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DeploymentAction'}
      responses:
        '201': {description: The commitment the plan now holds.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/feeds/prices/manual:
    put:
      summary: Give the energy price by hand (operator; the site's price feed must be manual).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ManualPrice'}
      responses:
        '200': {description: The feeds after the change.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/compute:
    get:
      summary: The AI side as the scheduler shows it - jobs with their flex tier, the cap Gridshell holds each to, jobs it checkpointed and holds, GPU power per job and node, each job's SLA budget left and the work it lost to caps and pauses over the last 24 h (GPU-hours and USD), and the recent actions.
      responses:
        '200': {description: 'Jobs, nodes and recent actions.'}
        '401': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/compute/history:
    get:
      summary: GPU power per node (job empty) and per job, as the power agents read it, with the cap each job was held to; recorded every 10 s while serve drives the AI side.
      parameters:
        - $ref: '#/components/parameters/from'
        - $ref: '#/components/parameters/to'
        - $ref: '#/components/parameters/limit'
      responses:
        '200': {description: GPU power rows, oldest first.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/feeds/peak-risk/manual:
    put:
      summary: Give the 4CP peak risk by hand (operator; grid_programs.four_cp must have source manual). A probability (0-1, or a percentage) or system load in MW, as the signal is.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ManualPeakRisk'}
      responses:
        '200': {description: The feeds after the change.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/feeds/bitcoin/manual:
    put:
      summary: Give Bitcoin network values by hand (operator; the site's Bitcoin feed must be manual).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ManualBitcoin'}
      responses:
        '200': {description: The feeds after the change.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/overrides:
    get:
      summary: Operator overrides, newest first.
      parameters:
        - $ref: '#/components/parameters/limit'
      responses:
        '200': {description: Overrides.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
  /api/v1/overrides/{id}:
    delete:
      summary: Cancel an override (operator); the plan is remade at once.
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: reason, in: query, required: true, schema: {type: string, minLength: 1}}
      responses:
        '200': {description: The cancelled override.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '404': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/actions/curtail:
    post:
      summary: Curtail a miner group for a window (operator).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/GroupAction'}
      responses:
        '201':
          description: The override.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Override'}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/actions/resume:
    post:
      summary: Resume a group an operator curtailed (operator).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/GroupAction'}
      responses:
        '200': {description: The cancelled curtailments.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/actions/cap:
    post:
      summary: Cap the site for a window (operator).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/CapAction'}
      responses:
        '201': {description: The override.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/actions/pause:
    post:
      summary: Pause the policy for a window, holding the last plan (operator).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PauseAction'}
      responses:
        '201': {description: The override.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/strategy:
    post:
      summary: "The strategic planner on this site (viewer; changes nothing): mine, lease, cloud and hybrid paths with yearly cash flows, NPV, IRR, payback, value per watt, Monte Carlo percentiles, sensitivity and a recommendation, the same JSON as `gridshell plan --json`. Send {} for the site file's strategy section as it stands."
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/StrategyRequest'}
      responses:
        '200':
          description: The plan.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/StrategyPlan'}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '413': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/policy:
    get:
      summary: The policy and its parameters.
      responses:
        '200':
          description: The policy.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Policy'}
        '401': {$ref: '#/components/responses/Error'}
    put:
      summary: Change the policy or its parameters (admin).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Policy'}
      responses:
        '200': {description: The policy now in force.}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
  /api/v1/audit:
    get:
      summary: The audit log, newest first (admin).
      parameters:
        - $ref: '#/components/parameters/limit'
      responses:
        '200': {description: 'Who changed what, when and why.'}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
  /api/v1/tokens:
    get:
      summary: Access tokens, without their secrets (admin).
      responses:
        '200': {description: Tokens.}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
    post:
      summary: Create an access token (admin); the secret is shown once.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TokenRequest'}
      responses:
        '201': {description: 'The token: name, role and secret.'}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Error'}
        '403': {$ref: '#/components/responses/Error'}
        '409': {$ref: '#/components/responses/Error'}
        '422': {$ref: '#/components/responses/Error'}
"""#
}

/// The dashboard's page, script (DashboardPage+Script.swift) and style (DashboardPage+Style.swift):
/// plain HTML, JavaScript and CSS with no build step, drawing its charts with Chart.js served from
/// Debian's package at /assets/chart.min.js. Nothing comes from the network.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gridshell dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header class="top">
  <div class="brand">
    <span class="logo" aria-hidden="true">⚡</span>
    <div>
      <h1>Gridshell</h1>
      <p id="site" class="site-name">—</p>
    </div>
  </div>
  <dl class="facts">
    <div><dt>Policy</dt><dd id="policy">—</dd></div>
    <div><dt>Site time</dt><dd id="site-time">—</dd></div>
    <div><dt>Interval</dt><dd id="interval">—</dd></div>
    <div><dt>Speed</dt><dd id="speed">—</dd></div>
  </dl>
  <span id="replay-finished" class="badge badge-warn" hidden>Replay finished</span>
  <div class="who" id="who" hidden>
    <span id="who-name"></span>
    <span id="who-role" class="badge"></span>
    <button id="sign-out" type="button" class="link">Sign out</button>
  </div>
</header>

<p id="conn-status" class="conn" role="status" aria-live="polite"></p>

<form id="token-form" class="token-form" hidden>
  <h2>Sign in</h2>
  <p>Paste an API token (from <code>gridshell token create</code> or the demo's output).</p>
  <label for="token-input">API token</label>
  <input id="token-input" type="password" autocomplete="off" spellcheck="false" required>
  <button type="submit">Open dashboard</button>
  <p id="token-error" class="error" role="alert"></p>
</form>

<main id="main" hidden>
  <section class="tiles" aria-label="The site now">
    <div class="tile"><span class="label">Site load</span><span class="value" id="site-mw">—</span><span class="sub">cap <span id="cap-mw">—</span></span></div>
    <div class="tile"><span class="label">Price now (forecast)</span><span class="value" id="price-now">—</span><span class="sub">last settled <span id="price-last">—</span></span></div>
    <div class="tile"><span class="label">Hashprice</span><span class="value" id="hashprice">—</span><span class="sub">per PH/s per day</span></div>
    <div class="tile"><span class="label">Net today</span><span class="value" id="net-today">—</span><span class="sub">margin <span id="margin">—</span></span></div>
    <div class="tile"><span class="label">Miners hashing</span><span class="value" id="miners-hashing">—</span><span class="sub">of <span id="miners-total">—</span></span></div>
  </section>

  <div class="grid">
    <section class="panel wide" aria-labelledby="h-power">
      <h2 id="h-power">Power stack</h2>
      <p class="hint">Planned MW by load class, stacked, against the site cap and the interconnect (site time, UTC).</p>
      <div class="chart"><canvas id="chart-power" role="img" aria-label="Stacked power by load class over time"></canvas></div>
    </section>

    <section class="panel" aria-labelledby="h-miners">
      <h2 id="h-miners">Miners by state</h2>
      <div class="split">
        <div class="chart small"><canvas id="chart-miners" role="img" aria-label="Miners by state"></canvas></div>
        <ul class="legend" id="miners-list">
          <li><span class="swatch" data-mode="normal"></span>Normal <strong id="miners-normal">—</strong></li>
          <li><span class="swatch" data-mode="low-power"></span>Low power <strong id="miners-low-power">—</strong></li>
          <li><span class="swatch" data-mode="sleep"></span>Asleep <strong id="miners-sleep">—</strong></li>
          <li><span class="swatch" data-mode="ramping"></span>Ramping <strong id="miners-ramping">—</strong></li>
          <li><span class="swatch" data-mode="unknown"></span>Unknown <strong id="miners-unknown">—</strong></li>
          <li><span class="swatch" data-mode="unreachable"></span>Unreachable <strong id="miners-unreachable">—</strong></li>
        </ul>
      </div>
    </section>

    <section class="panel wide" aria-labelledby="h-price">
      <h2 id="h-price">Price against break-even</h2>
      <p class="hint">
        Settled real-time price and the plan's forecast, USD/MWh; dashed lines are each group's break-even at its stock point.
        <label class="inline"><input type="checkbox" id="price-log"> log scale</label>
      </p>
      <div class="chart"><canvas id="chart-price" role="img" aria-label="Energy price over time with break-even lines"></canvas></div>
      <ul id="break-evens" class="chips" aria-label="Break-even prices"></ul>
      <ul id="feeds" class="chips feeds" aria-label="Price and Bitcoin feeds"></ul>
    </section>

    <section class="panel" aria-labelledby="h-ledger">
      <h2 id="h-ledger">Today's ledger</h2>
      <dl class="ledger" id="ledger">
        <div><dt>Net</dt><dd id="ledger-net">—</dd></div>
        <div><dt>Mining revenue</dt><dd id="ledger-mining">—</dd></div>
        <div><dt>AI revenue</dt><dd id="ledger-ai">—</dd></div>
        <div><dt>Energy cost</dt><dd id="ledger-energy">—</dd></div>
        <div><dt>Power credits</dt><dd id="ledger-power-credits">—</dd></div>
        <div><dt>Grid credits</dt><dd id="ledger-grid-credits">—</dd></div>
        <div><dt>Penalties</dt><dd id="ledger-penalties">—</dd></div>
        <div class="full"><dt>Energy drawn</dt><dd id="ledger-mwh">—</dd></div>
      </dl>
      <div class="chart short"><canvas id="chart-ledger" role="img" aria-label="Net USD per interval today"></canvas></div>
    </section>

    <section class="panel wide" aria-labelledby="h-events">
      <h2 id="h-events">Events and overrides</h2>
      <p class="hint">Grid events and operator overrides on the site's timeline; the grey line is now.</p>
      <div class="chart short"><canvas id="chart-events" role="img" aria-label="Timeline of grid events and overrides"></canvas></div>
      <ul id="events" class="timeline"></ul>
    </section>

    <section class="panel wide" aria-labelledby="h-compute" id="compute-panel" hidden>
      <h2 id="h-compute">AI side</h2>
      <p class="hint">The scheduler's jobs: flex tier, the cap Gridshell holds their GPUs to, jobs it checkpointed and holds, GPU power and what is left of each job's SLA budget over 24 h.</p>
      <ul id="compute" class="timeline"></ul>
    </section>

    <section class="panel" aria-labelledby="h-overrides">
      <h2 id="h-overrides">Overrides</h2>
      <ul id="overrides" class="timeline"></ul>
    </section>

    <section class="panel" aria-labelledby="h-groups">
      <h2 id="h-groups">Miner groups</h2>
      <div class="table-wrap">
        <table id="groups">
          <caption class="hint">Planned operating points against the modes the miners report.</caption>
          <thead><tr><th scope="col">Group</th><th scope="col">Model</th><th scope="col">Planned</th><th scope="col">Observed</th><th scope="col" class="num">MW</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </section>

    <section class="panel" aria-labelledby="h-plan">
      <h2 id="h-plan">The plan</h2>
      <h3>Why</h3>
      <ul id="reasons" class="plain"></ul>
      <h3>Unmet commitments</h3>
      <ul id="unmet" class="plain"></ul>
    </section>

    <section class="panel" id="controls" aria-labelledby="h-controls" hidden>
      <h2 id="h-controls">Operator controls</h2>
      <p class="hint">Minutes are site minutes. Every action needs a reason and is audited.</p>
      <form id="curtail-form" class="action">
        <fieldset>
          <legend>Curtail or resume a miner group</legend>
          <label>Group <select id="curtail-group"></select></label>
          <label>Minutes <input id="curtail-minutes" type="number" min="1" max="10080" step="any" value="60"></label>
          <label class="reason">Reason <input id="curtail-reason" type="text" maxlength="200" required placeholder="why"></label>
          <div class="buttons">
            <button id="curtail-submit" type="submit">Curtail</button>
            <button id="resume-submit" type="button">Resume</button>
          </div>
        </fieldset>
      </form>
      <form id="cap-form" class="action">
        <fieldset>
          <legend>Cap the site</legend>
          <label>MW <input id="cap-mw-input" type="number" min="0" step="any" required></label>
          <label>Minutes <input id="cap-minutes" type="number" min="1" max="10080" step="any" value="60" required></label>
          <label class="reason">Reason <input id="cap-reason" type="text" maxlength="200" required placeholder="why"></label>
          <div class="buttons"><button id="cap-submit" type="submit">Cap</button></div>
        </fieldset>
      </form>
      <form id="pause-form" class="action">
        <fieldset>
          <legend>Pause the policy (hold the last plan)</legend>
          <label>Minutes <input id="pause-minutes" type="number" min="1" max="10080" step="any" value="60" required></label>
          <label class="reason">Reason <input id="pause-reason" type="text" maxlength="200" required placeholder="why"></label>
          <div class="buttons"><button id="pause-submit" type="submit">Pause</button></div>
        </fieldset>
      </form>
      <form id="cancel-form" class="action">
        <fieldset>
          <legend>Cancel an override</legend>
          <label class="wide">Override <select id="cancel-override"></select></label>
          <label class="reason">Reason <input id="cancel-reason" type="text" maxlength="200" required placeholder="why"></label>
          <div class="buttons"><button id="cancel-submit" type="submit">Cancel override</button></div>
        </fieldset>
      </form>
      <p id="action-result" class="result" role="status" aria-live="polite"></p>
    </section>
  </div>
</main>
<script src="/assets/chart.min.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
"""#
}

extension DashboardPage {
    /// The page's look: a light, dense operator's view that stays readable on a laptop screen.
    static let style = #"""
:root {
  --bg: #f4f5f7; --panel: #ffffff; --ink: #212529; --muted: #6c757d; --line: #dee2e6;
  --accent: #5f3dc4; --good: #2b8a3e; --bad: #c92a2a; --warn: #e67700;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  font-size: 15px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; line-height: 1.4; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 0.4rem; }
h3 { font-size: 0.85rem; margin: 0.6rem 0 0.2rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
code { background: #eef0f3; padding: 0 0.25em; border-radius: 3px; }
button { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button[type="button"] { background: #fff; color: var(--accent); }
button:disabled { opacity: 0.5; cursor: progress; }
button.link { border: none; background: none; color: #fff; text-decoration: underline; padding: 0; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #91a7ff; outline-offset: 1px; }
input, select { font: inherit; padding: 0.3rem 0.4rem; border: 1px solid #adb5bd; border-radius: 5px; background: #fff; color: var(--ink); }

.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem 1.6rem; padding: 0.7rem 1.2rem; background: #1f1b2e; color: #f1f3f5; }
.brand { display: flex; align-items: center; gap: 0.6rem; }
.logo { font-size: 1.6rem; }
.site-name { margin: 0; color: #ced4da; font-size: 0.9rem; }
.facts { display: flex; flex-wrap: wrap; gap: 0.4rem 1.4rem; margin: 0; }
.facts dt { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.05em; color: #adb5bd; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.who { margin-left: auto; display: flex; gap: 0.5rem; align-items: center; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.78rem; font-weight: 600; background: #e9ecef; color: #343a40; }
.badge-warn { background: #ffe8cc; color: #7a3e00; }
.role-viewer { background: #d0ebff; color: #1864ab; }
.role-operator { background: #d3f9d8; color: #2b8a3e; }
.role-admin { background: #ffe3e3; color: #c92a2a; }

.conn { margin: 0; padding: 0 1.2rem; min-height: 0; }
.conn:not(:empty) { padding: 0.4rem 1.2rem; background: #fff3bf; }
.conn.error { background: #ffe3e3; color: var(--bad); }

.token-form { max-width: 30rem; margin: 3rem auto; padding: 1.4rem; background: var(--panel); border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,0.12); display: grid; gap: 0.5rem; }
.token-form h2 { font-size: 1.2rem; }
.error { color: var(--bad); }

main { padding: 0.8rem 1.2rem 1.6rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.7rem; margin-bottom: 0.8rem; }
.tile { background: var(--panel); border-radius: 10px; padding: 0.6rem 0.9rem; box-shadow: 0 1px 2px rgba(0,0,0,0.08); display: flex; flex-direction: column; }
.tile .label { font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.tile .value { font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: 0.8rem; color: var(--muted); }
.pos { color: var(--good); }
.neg { color: var(--bad); }

.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); grid-auto-flow: row dense; gap: 0.8rem; align-items: start; }
.panel { background: var(--panel); border-radius: 10px; padding: 0.8rem 1rem; box-shadow: 0 1px 2px rgba(0,0,0,0.08); min-width: 0; }
.panel.wide { grid-column: span 2; }
@media (max-width: 56rem) { .panel.wide { grid-column: auto; } }
.hint { color: var(--muted); font-size: 0.82rem; margin: 0 0 0.4rem; }
label.inline { margin-left: 0.6rem; white-space: nowrap; color: var(--ink); }
.chart { position: relative; height: 260px; }
.chart.short { height: 170px; }
.chart.small { height: 180px; width: 180px; flex: none; }
.split { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }

.legend { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.2rem; min-width: 12rem; }
.legend li { display: flex; align-items: center; gap: 0.4rem; }
.legend strong { margin-left: auto; font-variant-numeric: tabular-nums; }
.swatch { width: 0.8rem; height: 0.8rem; border-radius: 3px; display: inline-block; }
.swatch[data-mode="normal"] { background: #2f9e44; }
.swatch[data-mode="low-power"] { background: #94d82d; }
.swatch[data-mode="sleep"] { background: #4263eb; }
.swatch[data-mode="ramping"] { background: #f59f00; }
.swatch[data-mode="unknown"] { background: #adb5bd; }
.swatch[data-mode="unreachable"] { background: #e03131; }

.chips { list-style: none; padding: 0; margin: 0.5rem 0 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
.chips li { border-left: 4px solid; padding: 0.1rem 0.5rem; background: #f8f9fa; font-size: 0.82rem; }
.feeds li.feed-ok { border-color: #2b8a3e; }
.feeds li.feed-stale { border-color: #e8590c; background: #fff4e6; }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.86rem; }
caption { text-align: left; }
th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.num { text-align: right; font-variant-numeric: tabular-nums; }

.ledger { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0.2rem 1rem; margin: 0 0 0.6rem; }
.ledger div { display: flex; justify-content: space-between; gap: 0.5rem; border-bottom: 1px dotted var(--line); }
.ledger div.full { grid-column: 1 / -1; }
.ledger dt { color: var(--muted); }
.ledger dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }

ul.plain, ul.timeline { margin: 0; padding-left: 1.1rem; font-size: 0.86rem; }
ul.timeline { list-style: none; padding: 0; max-height: 14rem; overflow-y: auto; }
ul.timeline li { padding: 0.25rem 0; border-bottom: 1px solid #f1f3f5; }
ul.timeline time { font-variant-numeric: tabular-nums; color: var(--muted); margin-right: 0.3rem; }
.muted { color: var(--muted); }
.override.in-force .status { background: #d3f9d8; color: #2b8a3e; }
.override.cancelled .status { background: #f1f3f5; color: #868e96; }
.override.scheduled .status { background: #fff3bf; color: #7a5b00; }

form.action fieldset { min-width: 0; border: 1px solid var(--line); border-radius: 8px; margin: 0 0 0.6rem; padding: 0.4rem 0.7rem 0.6rem; display: flex; flex-wrap: wrap; gap: 0.5rem 0.8rem; align-items: end; }
form.action legend { font-weight: 600; padding: 0 0.3rem; font-size: 0.9rem; }
form.action label { display: flex; flex-direction: column; font-size: 0.8rem; color: var(--muted); gap: 0.15rem; }
form.action label input[type="number"] { width: 6rem; }
form.action label.reason { flex: 1 1 12rem; }
form.action label.wide { flex: 1 1 100%; min-width: 0; }
form.action label.wide select { width: 100%; }
form.action select { max-width: 100%; text-overflow: ellipsis; }
form.action .buttons { display: flex; gap: 0.4rem; }
.result { min-height: 1.4em; margin: 0.3rem 0 0; font-weight: 600; }
.result.ok { color: var(--good); }
.result.error { color: var(--bad); }
"""#
}

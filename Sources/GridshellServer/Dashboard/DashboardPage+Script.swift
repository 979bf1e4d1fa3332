extension DashboardPage {
    /// The page's behaviour: sign-in, polling /api/v1/state, the charts (Chart.js 3, linear axes
    /// over site time in milliseconds, so no date adapter is needed) and the operator's actions.
    static let script = #"""
'use strict';
(function () {
  const TOKEN_KEY = 'gridshell.token';
  const POLL_MS = 1000;
  const HOUR = 3600 * 1000;
  const WINDOW_MS = 24 * HOUR;          // charts show the last site day
  const MODES = ['normal', 'low-power', 'sleep', 'ramping', 'unknown', 'unreachable'];
  const MODE_COLORS = {
    'normal': '#2f9e44', 'low-power': '#94d82d', 'sleep': '#4263eb',
    'ramping': '#f59f00', 'unknown': '#adb5bd', 'unreachable': '#e03131'
  };
  const COLORS = {
    firm: '#5f3dc4', flexible: '#9775fa', mining: '#f08c00', headroom: 'rgba(64, 192, 87, 0.25)',
    cap: '#e03131', interconnect: '#495057', price: '#1c7ed6', forecast: '#74c0fc'
  };
  const GROUP_COLORS = ['#e8590c', '#c2255c', '#2b8a3e', '#5c940d', '#0b7285', '#862e9c'];

  const $ = (id) => document.getElementById(id);
  let token = '';
  let role = 'viewer';
  let state = null;
  let timer = null;
  let polling = false;
  let overridesSeenAt = 0;
  // Rolling history kept in the browser, keyed by interval start (ms of site time).
  const hist = { power: new Map(), price: new Map(), forecast: new Map(), net: new Map() };
  let through = { price: 0, ledger: 0, plan: 0 };   // newest interval fetched of each, ms
  let synced = { index: -1, at: 0 };
  const charts = {};

  // ---------- formatting ----------

  const pad = (n) => String(n).padStart(2, '0');
  function fmtTime(ms) {
    const d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  }
  function fmtTick(ms) {
    const d = new Date(ms);
    const hm = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 ? (pad(d.getUTCMonth() + 1) + '/' + pad(d.getUTCDate()) + ' ' + hm) : hm;
  }
  function fmtClock(ms) {
    const d = new Date(ms);
    return pad(d.getUTCMonth() + 1) + '/' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  function fmtUSD(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    const s = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
    return (v < 0 ? '−$' : '$') + s;
  }
  const fmtMW = (v) => (v === null || v === undefined || !isFinite(v)) ? '—' : v.toFixed(2) + ' MW';
  const fmtPrice = (v) => (v === null || v === undefined || !isFinite(v)) ? '—' : fmtUSD(v, 2) + '/MWh';
  const ms = (iso) => Date.parse(iso);
  // ISO 8601 without fractional seconds, as the API reads it.
  const isoTime = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

  function setText(id, text) {
    const el = $(id);
    if (el && el.textContent !== text) el.textContent = text;
  }
  function setSigned(id, v, digits) {
    setText(id, fmtUSD(v, digits));
    const el = $(id);
    if (el) { el.classList.toggle('neg', v < 0); el.classList.toggle('pos', v > 0); }
  }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children || []) e.append(c);
    return e;
  }
  function replaceChildren(parent, children) { parent.replaceChildren(...children); }

  // ---------- the API ----------

  async function api(method, path, body) {
    const init = { method: method, headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!response.ok) {
      const message = data && data.error ? data.error.message : (response.status + ' ' + response.statusText);
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ---------- sign-in ----------

  function readToken() {
    const params = new URLSearchParams(location.hash.slice(1));
    const fromURL = params.get('token');
    if (fromURL) {
      sessionStorage.setItem(TOKEN_KEY, fromURL);
      // Keep the secret out of the address bar, bookmarks and screen shares.
      window.history.replaceState(null, '', location.pathname + location.search);
      return fromURL;
    }
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  function askForToken(message) {
    stopPolling();
    $('main').hidden = true;
    $('who').hidden = true;
    $('token-form').hidden = false;
    setText('token-error', message || '');
    $('token-input').focus();
  }

  async function signIn(candidate) {
    token = candidate;
    try {
      const me = await api('GET', '/api/v1/whoami');
      role = me.role;
      sessionStorage.setItem(TOKEN_KEY, token);
      setText('who-name', me.name);
      setText('who-role', me.role);
      $('who-role').className = 'badge role-' + me.role;
      $('who').hidden = false;
      $('token-form').hidden = true;
      $('main').hidden = false;
      $('controls').hidden = !(role === 'operator' || role === 'admin');
      document.body.dataset.role = role;
      await start();
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      token = '';
      askForToken(e.status === 401 || e.status === 403 ? 'That token was refused: ' + e.message : 'Cannot reach the server: ' + e.message);
    }
  }

  // ---------- history ----------
  //
  // The charts' series are kept in the browser, keyed by interval start (ms of site time), and
  // filled from the site's record: settled prices (/prices), settled intervals (/ledger) and the
  // plans as decided (/plans; a re-decided interval keeps its newest plan). On load they reach
  // back a site day, so a reload does not start empty; after that only what is new is fetched,
  // each time the interval moves on (and every few seconds, for plans re-decided mid-interval).

  function keepWindow(map, nowMs) {
    for (const k of map.keys()) if (k < nowMs - WINDOW_MS) map.delete(k);
  }

  // The planned stack by load class; every figure is at the meter, cooling included.
  function stackOf(plan) {
    const mining = plan.groups.reduce((a, g) => a + g.powerMW, 0);
    const flexible = plan.jobs.reduce((a, j) => a + j.powerMW, 0);
    return {
      firm: plan.firmMW, flexible: flexible, mining: mining,
      headroom: Math.max(0, plan.capMW - plan.siteMW), cap: plan.capMW, decidedAt: 0
    };
  }

  const query = (from, to) => '?from=' + encodeURIComponent(isoTime(from)) + '&to=' + encodeURIComponent(isoTime(to));

  async function sync(s) {
    const now = ms(s.siteTime);
    const oldest = now - WINDOW_MS;
    const [prices, ledger, plans] = await Promise.all([
      api('GET', '/api/v1/prices' + query(through.price ? through.price + 1000 : oldest, now + 1000)).catch(() => null),
      api('GET', '/api/v1/ledger' + query(through.ledger ? through.ledger + 1000 : oldest, now + 1000)).catch(() => null),
      // From the newest plan seen, inclusive: its interval may have been decided again.
      api('GET', '/api/v1/plans' + query(through.plan || oldest, now + 1000) + '&limit=500').catch(() => null)
    ]);
    for (const p of prices || []) {
      const t = ms(p.intervalStart);
      hist.price.set(t, p.priceUSDPerMWh);
      through.price = Math.max(through.price, t);
    }
    for (const e of (ledger && ledger.entries) || []) {
      const t = ms(e.start);
      hist.net.set(t, e.miningRevenueUSD + e.aiRevenueUSD + e.powerCreditsUSD + e.gridCreditsUSD - e.energyCostUSD -
        e.fourCPChargeUSD - e.penaltiesUSD - e.checkpointCostUSD - e.deadlinePenaltyUSD);
      if (!hist.price.has(t)) hist.price.set(t, e.priceUSDPerMWh);
      through.ledger = Math.max(through.ledger, t);
    }
    for (const item of plans || []) {
      const t = ms(item.intervalStart);
      const decided = ms(item.decidedAt);
      const known = hist.power.get(t);
      if (known && known.decidedAt > decided) continue;
      const stack = stackOf(item.plan);
      stack.decidedAt = decided;
      hist.power.set(t, stack);
      through.plan = Math.max(through.plan, t);
    }
    synced = { index: s.interval ? s.interval.index : -1, at: Date.now() };
  }

  function record(s) {
    const now = ms(s.siteTime);
    if (state && ms(state.siteTime) > now) {
      // The site's clock went back (a new replay): start over.
      for (const m of Object.values(hist)) m.clear();
      through = { price: 0, ledger: 0, plan: 0 };
    }
    if (s.interval) hist.forecast.set(ms(s.interval.start), s.price.forecastUSDPerMWh);
    for (const m of Object.values(hist)) keepWindow(m, now);
  }

  function needsSync(s) {
    return !s.interval || s.interval.index !== synced.index || Date.now() - synced.at > 5000;
  }

  function series(map, pick) {
    return Array.from(map.entries()).sort((a, b) => a[0] - b[0]).map(([x, v]) => ({ x: x, y: pick ? pick(v) : v }));
  }

  // ---------- charts ----------

  // A linear axis over site time (ms), ticked on whole hours of UTC.
  function timeAxis() {
    return {
      type: 'linear',
      ticks: { callback: (v) => fmtTick(v), maxRotation: 0, autoSkipPadding: 16 },
      afterBuildTicks: (axis) => {
        const span = axis.max - axis.min;
        const step = span > 36 * HOUR ? 6 * HOUR : span > 12 * HOUR ? 3 * HOUR : HOUR;
        const ticks = [];
        for (let t = Math.ceil(axis.min / step) * step; t <= axis.max; t += step) ticks.push({ value: t });
        axis.ticks = ticks;
      },
      grid: { color: '#eef0f3' }
    };
  }
  const tooltipTitle = (items) => items.length ? fmtTime(items[0].parsed.x) : '';

  function makeCharts() {
    if (typeof Chart === 'undefined') {
      setText('conn-status', 'Chart.js did not load (/assets/chart.min.js): install libjs-chart.js. Numbers still update.');
      return;
    }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#343a40';
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;

    const area = (label, color, fill) => ({
      label: label, data: [], stack: 'load', fill: fill, backgroundColor: color, borderColor: color,
      borderWidth: 1, pointRadius: 0, stepped: 'after'
    });
    charts.power = new Chart($('chart-power'), {
      type: 'line',
      data: {
        datasets: [
          area('Firm AI', COLORS.firm, 'origin'),
          area('Flexible AI', COLORS.flexible, '-1'),
          area('Mining', COLORS.mining, '-1'),
          Object.assign(area('Headroom', COLORS.headroom, '-1'), { borderColor: 'rgba(64, 192, 87, 0.6)' }),
          { label: 'Cap', data: [], stack: 'cap', borderColor: COLORS.cap, borderWidth: 2, borderDash: [6, 4], pointRadius: 0, fill: false, stepped: 'after' },
          { label: 'Interconnect', data: [], stack: 'interconnect', borderColor: COLORS.interconnect, borderWidth: 1.5, pointRadius: 0, fill: false }
        ]
      },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: timeAxis(), y: { stacked: true, beginAtZero: true, title: { display: true, text: 'MW' } } },
        plugins: { tooltip: { callbacks: { title: tooltipTitle, label: (c) => c.dataset.label + ': ' + fmtMW(c.parsed.y) } } }
      }
    });

    charts.price = new Chart($('chart-price'), {
      type: 'line',
      data: {
        datasets: [
          { label: 'Settled price', data: [], borderColor: COLORS.price, backgroundColor: COLORS.price, borderWidth: 2, pointRadius: 0, stepped: 'after' },
          { label: 'Forecast', data: [], borderColor: COLORS.forecast, backgroundColor: COLORS.forecast, borderWidth: 1.5, borderDash: [3, 3], pointRadius: 0, stepped: 'after' }
        ]
      },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: timeAxis(), y: { type: 'linear', title: { display: true, text: 'USD/MWh' } } },
        plugins: { tooltip: { callbacks: { title: tooltipTitle, label: (c) => c.dataset.label + ': ' + fmtPrice(c.parsed.y) } } }
      }
    });

    charts.miners = new Chart($('chart-miners'), {
      type: 'doughnut',
      data: { labels: MODES, datasets: [{ data: MODES.map(() => 0), backgroundColor: MODES.map((m) => MODE_COLORS[m]), borderWidth: 1 }] },
      options: { cutout: '55%', plugins: { legend: { display: false } } }
    });

    charts.ledger = new Chart($('chart-ledger'), {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Net USD', data: [], backgroundColor: [], borderWidth: 0, barPercentage: 1, categoryPercentage: 0.95 }] },
      options: {
        scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } }, y: { ticks: { callback: (v) => fmtUSD(v) } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => 'Net ' + fmtUSD(c.parsed.y, 2) } } }
      }
    });

    charts.events = new Chart($('chart-events'), {
      type: 'line',
      data: { datasets: [] },
      options: {
        spanGaps: false,
        scales: {
          x: timeAxis(),
          y: { type: 'linear', min: -0.5, max: 0.5, ticks: { stepSize: 1, callback: (v) => (charts.events && charts.events.$rows ? (charts.events.$rows[v] || '') : '') }, grid: { display: false } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: tooltipTitle, label: (c) => c.dataset.label } }
        }
      }
    });
    charts.events.$rows = [];
  }

  function drawCharts(s) {
    if (!charts.power) return;
    const now = ms(s.siteTime);
    const xMin = now - WINDOW_MS;

    const p = charts.power;
    p.data.datasets[0].data = series(hist.power, (v) => v.firm);
    p.data.datasets[1].data = series(hist.power, (v) => v.flexible);
    p.data.datasets[2].data = series(hist.power, (v) => v.mining);
    p.data.datasets[3].data = series(hist.power, (v) => v.headroom);
    p.data.datasets[4].data = series(hist.power, (v) => v.cap);
    p.data.datasets[5].data = [{ x: xMin, y: s.power.interconnectMW }, { x: now, y: s.power.interconnectMW }];
    p.options.scales.x.min = xMin; p.options.scales.x.max = now;
    p.options.scales.y.suggestedMax = s.power.interconnectMW * 1.1;
    p.update('none');

    const c = charts.price;
    c.data.datasets.length = 2;
    c.data.datasets[0].data = series(hist.price);
    c.data.datasets[1].data = series(hist.forecast);
    s.breakEvens.forEach((b, i) => {
      const color = GROUP_COLORS[i % GROUP_COLORS.length];
      c.data.datasets.push({
        label: 'Break-even ' + b.group, data: [{ x: xMin, y: b.usdPerMWh }, { x: now, y: b.usdPerMWh }],
        borderColor: color, backgroundColor: color, borderWidth: 1.5, borderDash: [8, 4], pointRadius: 0
      });
    });
    const log = $('price-log').checked;
    c.options.scales.y.type = log ? 'logarithmic' : 'linear';
    if (log) {
      // Negative prices have no place on a log axis: those points are dropped from view.
      c.data.datasets.forEach((d) => { d.data = d.data.filter((pt) => pt.y > 0); });
    }
    c.options.scales.x.min = xMin; c.options.scales.x.max = now;
    c.update('none');

    charts.miners.data.datasets[0].data = MODES.map((m) => s.miners[m] || 0);
    charts.miners.update('none');

    // What each of today's settled intervals netted (the site's day, UTC).
    const dayStart = now - (now % (24 * HOUR));
    const today = series(hist.net).filter((d) => d.x >= dayStart);
    const l = charts.ledger;
    l.data.labels = today.map((d) => fmtTick(d.x));
    l.data.datasets[0].data = today.map((d) => d.y);
    l.data.datasets[0].backgroundColor = today.map((d) => d.y < 0 ? '#e03131' : '#2f9e44');
    l.update('none');

    drawTimeline(s, now);
  }

  function timelineItems(s) {
    const items = [];
    for (const e of s.events || []) {
      items.push({ row: e.kind, start: ms(e.start), end: ms(e.end), text: e.kind + (e.targetMW !== null && e.targetMW !== undefined ? ' to ' + e.targetMW + ' MW' : '') + ' · ' + e.source + (e.detail ? ' · ' + e.detail : '') });
    }
    for (const o of s.overrides || []) {
      items.push({ row: 'override: ' + o.kind, start: ms(o.start), end: ms(o.end), text: describeOverride(o) });
    }
    return items.sort((a, b) => a.start - b.start);
  }

  function drawTimeline(s, now) {
    const items = timelineItems(s);
    const rows = Array.from(new Set(items.map((i) => i.row)));
    const ch = charts.events;
    ch.$rows = rows;
    const palette = ['#1971c2', '#e8590c', '#2f9e44', '#c2255c', '#6741d9', '#0b7285'];
    ch.data.datasets = rows.map((row, r) => {
      const data = [];
      for (const it of items.filter((i) => i.row === row)) {
        data.push({ x: it.start, y: r }, { x: it.end, y: r }, { x: it.end, y: null });
      }
      const color = palette[r % palette.length];
      return { label: row, data: data, borderColor: color, backgroundColor: color, borderWidth: 8, pointRadius: 2, borderCapStyle: 'round' };
    });
    const top = Math.max(rows.length - 0.5, 0.5);
    ch.data.datasets.push({ label: 'now', data: [{ x: now, y: -0.5 }, { x: now, y: top }], borderColor: '#868e96', borderWidth: 1, pointRadius: 0 });
    ch.options.scales.y.max = top;
    ch.options.scales.x.min = now - WINDOW_MS;
    ch.options.scales.x.max = now + 6 * HOUR;
    ch.update('none');
  }

  // ---------- panels ----------

  function describeOverride(o) {
    let what = o.kind;
    if (o.kind === 'curtail-group') what = 'Curtail ' + o.group;
    else if (o.kind === 'resume-group') what = 'Resume ' + o.group;
    else if (o.kind === 'cap-site') what = 'Cap site at ' + (o.valueMW !== null && o.valueMW !== undefined ? o.valueMW + ' MW' : '?');
    else if (o.kind === 'pause-policy') what = 'Pause the policy';
    return what + ' — “' + o.reason + '” by ' + o.createdBy;
  }

  function renderHeader(s) {
    setText('site', s.site);
    setText('policy', s.policy);
    setText('site-time', fmtTime(ms(s.siteTime)));
    setText('interval', s.interval ? (s.interval.index + 1) + ' of ' + s.interval.of : '—');
    setText('speed', s.speed === 1 ? 'real time' : '×' + Math.round(s.speed).toLocaleString('en-US'));
    $('replay-finished').hidden = !s.replayFinished;
    document.title = 'Gridshell · ' + s.site;
  }

  function renderTiles(s) {
    setText('site-mw', fmtMW(s.power.siteMW));
    setText('cap-mw', fmtMW(s.power.capMW) + (s.power.capMW < s.power.interconnectMW ? ' (capped)' : ''));
    setText('price-now', fmtPrice(s.price.forecastUSDPerMWh));
    setText('price-last', fmtPrice(s.price.lastUSDPerMWh));
    setText('hashprice', fmtUSD(s.price.hashpriceUSDPerPHDay, 2));
    setSigned('net-today', s.today.netUSD);
    setText('margin', s.marginUSDPerHour === null || s.marginUSDPerHour === undefined ? '—' : fmtUSD(s.marginUSDPerHour) + '/h');
    const total = MODES.reduce((a, m) => a + (s.miners[m] || 0), 0);
    setText('miners-hashing', String((s.miners['normal'] || 0) + (s.miners['low-power'] || 0)));
    setText('miners-total', String(total));
  }

  function renderMiners(s) {
    for (const m of MODES) setText('miners-' + m, String(s.miners[m] || 0));
  }

  function pointList(map) {
    const entries = Object.entries(map || {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    return entries.length ? entries.map(([k, n]) => k + ' ' + n).join(', ') : '—';
  }

  function renderGroups(s) {
    const rows = s.groups.map((g) => el('tr', {}, [
      el('th', { scope: 'row', text: g.name }),
      el('td', { text: g.model + ' · ' + g.firmware }),
      el('td', { text: pointList(g.planned) }),
      el('td', { text: pointList(g.observed) }),
      el('td', { class: 'num', text: g.measuredMW.toFixed(2) })
    ]));
    replaceChildren(document.querySelector('#groups tbody'), rows);
    // The group picker keeps the operator's choice.
    const select = $('curtail-group');
    const names = s.groups.map((g) => g.name);
    if (Array.from(select.options).map((o) => o.value).join('|') !== names.join('|')) {
      const chosen = select.value;
      replaceChildren(select, names.map((n) => el('option', { value: n, text: n })));
      if (names.includes(chosen)) select.value = chosen;
    }
    if (!$('cap-mw-input').placeholder) $('cap-mw-input').placeholder = 'up to ' + s.power.interconnectMW;
  }

  function renderBreakEvens(s) {
    const chips = s.breakEvens.map((b, i) => {
      const li = el('li', { text: b.group + ' (' + b.model + ') ' + fmtPrice(b.usdPerMWh) });
      li.style.borderColor = GROUP_COLORS[i % GROUP_COLORS.length];
      return li;
    });
    replaceChildren($('break-evens'), chips);
  }

  function renderFeeds(s) {
    const chips = (s.feeds || []).map((f) => {
      const age = f.ageMinutes == null ? 'nothing yet' : Math.round(f.ageMinutes) + ' min old';
      const shown = f.feed === 'prices' ? fmtPrice(f.value)
        : f.feed === 'peak_risk' ? (f.unit === 'MW' ? Math.round(f.value).toLocaleString() + ' MW' : Math.round((f.value > 1 ? f.value / 100 : f.value) * 100) + ' % chance of a 4CP peak')
        : fmtUSD(f.value, 2) + '/PH/day';
      const value = f.value == null ? '' : ' · ' + shown;
      const name = f.feed === 'prices' ? 'Price feed ' : f.feed === 'peak_risk' ? '4CP peak-risk feed ' : 'Bitcoin feed ';
      let text = name + f.state + ' (' + f.source + ', ' + age + value + ')';
      if (f.stale) text += ': ' + f.fallback;
      if (f.lastError) text += ' · last error: ' + f.lastError;
      const li = el('li', { text: text, class: f.stale ? 'feed-stale' : 'feed-ok' });
      li.dataset.feed = f.feed;
      li.dataset.state = f.state;
      return li;
    });
    replaceChildren($('feeds'), chips);
  }

  function renderLedger(s) {
    const t = s.today;
    setSigned('ledger-net', t.netUSD);
    setText('ledger-mining', fmtUSD(t.miningRevenueUSD));
    setText('ledger-ai', fmtUSD(t.aiRevenueUSD));
    setText('ledger-energy', fmtUSD(t.energyCostUSD));
    setText('ledger-power-credits', fmtUSD(t.powerCreditsUSD));
    setText('ledger-grid-credits', fmtUSD(t.gridCreditsUSD));
    setText('ledger-penalties', fmtUSD(t.penaltiesUSD));
    setText('ledger-mwh', t.energyMWh.toFixed(1) + ' MWh in ' + t.intervals + ' intervals');
  }

  function renderList(id, lines, empty) {
    const items = lines.length ? lines.map((t) => el('li', { text: t })) : [el('li', { class: 'muted', text: empty })];
    replaceChildren($(id), items);
  }

  function renderCompute(s) {
    const c = s.compute;
    $('compute-panel').hidden = !c;
    if (!c) return;
    const lines = c.jobs.map((j) => {
      let t = j.name + ' (' + j.id + ', ' + j.partition + ', flex ' + j.flexTier + ') ' + j.state;
      if (j.pausedByGridshell) t += ' · checkpointed and held by Gridshell';
      else if (j.capFraction != null) t += ' · GPUs capped at ' + Math.round(j.capFraction * 100) + ' %';
      if (j.gpuPowerW != null) t += ' · ' + Math.round(j.gpuPowerW).toLocaleString() + ' W';
      if (j.slaBudgetHours > 0) t += ' · SLA budget left ' + j.slaBudgetLeftHours.toFixed(2) + ' of ' + j.slaBudgetHours.toFixed(0) + ' h';
      if (j.throughputLostGPUHours > 0) t += ' · lost in 24 h: ' + j.throughputLostGPUHours.toFixed(2) + ' GPU-h ($' + j.throughputLostUSD.toFixed(2) + ')';
      return t;
    });
    for (const n of c.nodes) lines.push('node ' + n.name + ': ' + n.gpus + ' GPUs, ' + Math.round(n.gpuPowerW).toLocaleString() + ' W' + (n.problems.length ? ' · ' + n.problems.join('; ') : ''));
    if (c.lastError) lines.push('scheduler: ' + c.lastError);
    renderList('compute', lines, 'No jobs.');
  }

  function renderEvents(s) {
    const items = (s.events || []).slice().sort((a, b) => ms(a.start) - ms(b.start)).map((e) => el('li', {}, [
      el('time', { datetime: e.start, text: fmtClock(ms(e.start)) + '–' + fmtClock(ms(e.end)) }),
      ' ',
      el('span', { text: e.kind + (e.targetMW !== null && e.targetMW !== undefined ? ' to ' + e.targetMW + ' MW' : '') + ' (' + e.source + ')' + (e.detail ? ': ' + e.detail : '') })
    ]));
    replaceChildren($('events'), items.length ? items : [el('li', { class: 'muted', text: 'No grid events around today.' })]);
  }

  // Overrides: those in force come with the state; recent ones (ended, cancelled) from
  // /api/v1/overrides every few seconds and after each action.
  let recentOverrides = [];
  async function refreshOverrides() {
    try {
      recentOverrides = await api('GET', '/api/v1/overrides?limit=20');
      overridesSeenAt = Date.now();
    } catch (e) { /* the state still shows those in force */ }
  }

  function renderOverrides(s) {
    const now = ms(s.siteTime);
    const byId = new Map();
    for (const o of recentOverrides) byId.set(o.id, o);
    for (const o of s.overrides || []) byId.set(o.id, o);
    const all = Array.from(byId.values()).sort((a, b) => (b.id || 0) - (a.id || 0));
    const active = (o) => !o.cancelledAt && ms(o.start) <= now && now < ms(o.end);
    const items = all.map((o) => {
      const status = o.cancelledAt ? 'cancelled' : active(o) ? 'in force' : (ms(o.end) <= now ? 'ended' : 'scheduled');
      return el('li', { class: 'override ' + status.replace(' ', '-'), 'data-id': String(o.id) }, [
        el('time', { datetime: o.start, text: fmtClock(ms(o.start)) + '–' + fmtClock(ms(o.end)) }),
        ' ',
        el('span', { class: 'badge status', text: status }),
        ' ',
        el('span', { class: 'what', text: '#' + o.id + ' ' + describeOverride(o) })
      ]);
    });
    replaceChildren($('overrides'), items.length ? items : [el('li', { class: 'muted', text: 'No overrides.' })]);
    // What an operator may cancel: overrides not ended and not cancelled.
    const cancellable = all.filter((o) => !o.cancelledAt && now < ms(o.end));
    const select = $('cancel-override');
    const key = cancellable.map((o) => o.id).join('|');
    if (select.dataset.key !== key) {
      const chosen = select.value;
      const options = cancellable.map((o) => el('option', { value: String(o.id), text: '#' + o.id + ' ' + describeOverride(o) }));
      replaceChildren(select, options.length ? options : [el('option', { value: '', text: 'none in force' })]);
      select.dataset.key = key;
      if (cancellable.some((o) => String(o.id) === chosen)) select.value = chosen;
    }
  }

  function render(s) {
    renderHeader(s);
    renderTiles(s);
    renderMiners(s);
    renderGroups(s);
    renderBreakEvens(s);
    renderFeeds(s);
    renderLedger(s);
    renderList('reasons', s.reasons || [], s.interval ? 'No reasons given for this interval.' : 'No plan yet.');
    renderList('unmet', s.unmet || [], 'Every commitment is met.');
    renderEvents(s);
    renderCompute(s);
    renderOverrides(s);
    drawCharts(s);
  }

  // ---------- polling ----------

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const s = await api('GET', '/api/v1/state');
      if (!s || !s.power) {
        setText('conn-status', 'Waiting for the controller\u2019s first plan…');
      } else {
        record(s);
        if (needsSync(s)) await sync(s);
        if (Date.now() - overridesSeenAt > 5000) await refreshOverrides();
        state = s;
        render(s);
        setText('conn-status', '');
        $('conn-status').classList.remove('error');
      }
    } catch (e) {
      if (e.status === 401) { askForToken('The token is no longer accepted: ' + e.message); polling = false; return; }
      setText('conn-status', 'Connection problem: ' + e.message + ' (retrying)');
      $('conn-status').classList.add('error');
    } finally {
      polling = false;
    }
  }

  function stopPolling() { if (timer) { clearInterval(timer); timer = null; } }

  async function start() {
    if (!charts.power) makeCharts();
    try {
      const s = await api('GET', '/api/v1/state');
      if (s && s.siteTime && s.power) await sync(s);
    } catch (e) { /* the first poll reports it */ }
    await refreshOverrides();
    await poll();
    stopPolling();
    timer = setInterval(poll, POLL_MS);
  }

  // ---------- operator actions ----------

  function showResult(ok, message) {
    const out = $('action-result');
    out.textContent = message;
    out.className = 'result ' + (ok ? 'ok' : 'error');
  }

  async function act(button, run, describe) {
    button.disabled = true;
    try {
      const answer = await run();
      showResult(true, describe(answer));
      synced.at = 0;
      await refreshOverrides();
      await poll();
    } catch (e) {
      showResult(false, (e.status ? e.status + ': ' : '') + e.message);
    } finally {
      button.disabled = false;
    }
  }

  const number = (id) => { const v = $(id).value.trim(); return v === '' ? undefined : Number(v); };
  const reason = (id) => $(id).value.trim();

  function wireControls() {
    $('curtail-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { group: $('curtail-group').value, minutes: number('curtail-minutes'), reason: reason('curtail-reason') };
      act($('curtail-submit'), () => api('POST', '/api/v1/actions/curtail', body),
        (o) => 'Curtailed ' + o.group + ' until ' + fmtTime(ms(o.end)) + ' (override #' + o.id + ').');
    });
    $('resume-submit').addEventListener('click', () => {
      if (!$('curtail-reason').reportValidity()) return;
      const body = { group: $('curtail-group').value, reason: reason('curtail-reason') };
      act($('resume-submit'), () => api('POST', '/api/v1/actions/resume', body),
        (list) => 'Resumed ' + body.group + ' (' + list.length + ' curtailment' + (list.length === 1 ? '' : 's') + ' cancelled).');
    });
    $('cap-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { mw: number('cap-mw-input'), minutes: number('cap-minutes'), reason: reason('cap-reason') };
      act($('cap-submit'), () => api('POST', '/api/v1/actions/cap', body),
        (o) => 'Site capped at ' + o.valueMW + ' MW until ' + fmtTime(ms(o.end)) + ' (override #' + o.id + ').');
    });
    $('pause-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { minutes: number('pause-minutes'), reason: reason('pause-reason') };
      act($('pause-submit'), () => api('POST', '/api/v1/actions/pause', body),
        (o) => 'Policy paused until ' + fmtTime(ms(o.end)) + ' (override #' + o.id + ').');
    });
    $('cancel-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = $('cancel-override').value;
      if (!id) { showResult(false, 'No override to cancel.'); return; }
      const path = '/api/v1/overrides/' + encodeURIComponent(id) + '?reason=' + encodeURIComponent(reason('cancel-reason'));
      act($('cancel-submit'), () => api('DELETE', path), (o) => 'Override #' + o.id + ' cancelled.');
    });
  }

  // ---------- start ----------

  document.addEventListener('DOMContentLoaded', () => {
    wireControls();
    $('price-log').addEventListener('change', () => { if (state) drawCharts(state); });
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      signIn($('token-input').value.trim());
      $('token-input').value = '';
    });
    $('sign-out').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      token = '';
      askForToken('Signed out.');
    });
    const t = readToken();
    if (t) signIn(t); else askForToken('');
  });
})();
"""#
}

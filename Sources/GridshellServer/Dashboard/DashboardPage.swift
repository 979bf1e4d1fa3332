/// The dashboard's page, script and style.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gridshell</title>
<link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><h1>Gridshell</h1><pre id="state">loading…</pre>
<script src="/assets/dashboard.js"></script></body></html>
"""#
    static let script = #"""
const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('gridshell.token') || '';
if (token) sessionStorage.setItem('gridshell.token', token);
async function refresh() {
  const r = await fetch('/api/v1/state', {headers: {Authorization: 'Bearer ' + token}});
  document.getElementById('state').textContent = JSON.stringify(await r.json(), null, 2);
}
refresh(); setInterval(refresh, 1000);
"""#
    static let style = "body { font-family: sans-serif; }"
}

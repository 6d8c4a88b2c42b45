// Tide's dashboard: polls /dashboard/api every two seconds and draws the selected revision's last hour with uPlot.
"use strict";

const COLORS = ["#1761a0", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285"];
const state = { selected: null, charts: {}, history: null, overview: null };
window.tide = state; // read by the browser test

const chartSpecs = [
  { id: "chart-requests", title: "Requests/s", series: [["rps", "requests/s"], ["rps4xx", "4xx/s"], ["rps5xx", "5xx/s"]] },
  { id: "chart-success", title: "Success rate (%)", series: [["success", "success %", v => v == null ? null : v * 100, "pct"]] },
  { id: "chart-replicas", title: "Replicas: desired vs ready (panic shaded)",
    series: [["desired", "desired"], ["ready", "ready"], ["actual", "actual"], ["panic", "panic", v => v, "panic"]] },
  { id: "chart-latency", title: "Latency (ms)", series: [["p50", "P50"], ["p90", "P90"], ["p95", "P95"], ["p99", "P99"]] },
  { id: "chart-concurrency", title: "Requests in flight or waiting", series: [["concurrency", "concurrency"]] },
  { id: "chart-resources", title: "CPU (cores) and memory (MiB)",
    series: [["cpu", "CPU cores"], ["memory", "memory MiB", v => v == null ? null : v / 1048576, "mem"]] },
  // The forecast is drawn when it was made, for its lead ahead: the observed line reaches it a lead later.
  { id: "chart-forecast", title: "Load: observed vs predictive forecast (made its lead ahead)",
    series: [["load", "observed"], ["forecast", "forecast"]] },
];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

// The per-server secret this page was served with: the dashboard's API answers only requests that carry it, so a page
// on another site cannot drive it (it cannot read this page to learn the secret).
const DASHBOARD_TOKEN = document.querySelector('meta[name="tide-dashboard-token"]').content;

async function getJson(url, init) {
  const opts = Object.assign({}, init || {});
  opts.headers = Object.assign({}, opts.headers || {}, { "X-Tide-Dashboard": DASHBOARD_TOKEN });
  const r = await fetch(url, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function bytes(n) {
  if (n == null) return "–";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + " " + units[i];
}

function renderServices(o) {
  const box = document.getElementById("services");
  const select = document.getElementById("load-service");
  const chosen = select.value;
  box.replaceChildren();
  select.replaceChildren();
  if (o.services.length === 0) {
    box.append(el("p", { class: "muted" }, "No services yet: ", el("code", {}, "tide apply -f examples/")));
  }
  for (const s of o.services) {
    const card = el("div", { class: "service", "data-service": s.name, "data-namespace": s.namespace });
    card.append(el("div", {}, el("span", { class: "name" }, s.name), el("span", { class: "muted" }, " · " + s.namespace),
      el("span", { class: "badge " + s.ready }, s.ready === "True" ? "Ready" : "Not ready")));
    if (s.inferenceService) card.append(el("div", { class: "muted" }, "InferenceService " + s.inferenceService));
    if (s.url) card.append(el("a", { href: s.url }, s.url));
    const split = el("div", { class: "split", title: "traffic split" });
    (s.traffic || []).forEach((t, i) => {
      if (t.percent > 0) split.append(el("span", { title: `${t.revisionName}: ${t.percent}%` + (t.tag ? ` (tag ${t.tag})` : ""),
        style: `width:${t.percent}%;background:${COLORS[i % COLORS.length]}` }));
    });
    card.append(split);
    for (const t of s.traffic || []) {
      card.append(el("div", { class: "muted" }, `${t.revisionName}: ${t.percent ?? 0}%` + (t.tag ? ` · tag ${t.tag} ${t.url || ""}` : "")));
    }
    for (const r of s.revisions) {
      const row = el("div", { class: "revision", "data-revision": r.name },
        el("span", {}, r.name, el("span", { class: "badge " + r.ready }, r.ready === "True" ? "Ready" : "Not ready")),
        el("span", { class: "muted" }, `${r.actualReplicas}/${r.desiredReplicas} replicas`));
      if (state.selected && state.selected.revision === r.name && state.selected.namespace === s.namespace) row.classList.add("selected");
      row.onclick = () => select_(s.namespace, r.name);
      card.append(row);
    }
    box.append(card);
    select.append(el("option", { value: s.namespace + "/" + s.name }, `${s.name} (${s.namespace})`));
  }
  if (!state.selected) {
    // The first Ready service, on its newest Ready revision; a service that has never been ready only when none is.
    const ready = o.services.find(s => s.ready === "True" && s.revisions.some(r => r.ready === "True"));
    const first = ready || o.services.find(s => s.revisions.length > 0);
    if (first) {
      const revs = ready ? first.revisions.filter(r => r.ready === "True") : first.revisions;
      select_(first.namespace, revs[revs.length - 1].name);
    }
  }
  // The stress test targets what the user chose, else the selected revision's service.
  const selectedService = state.selected && o.services.find(s => s.namespace === state.selected.namespace
    && s.revisions.some(r => r.name === state.selected.revision));
  if (chosen && state.loadChosen) select.value = chosen;
  else if (selectedService) select.value = selectedService.namespace + "/" + selectedService.name;
  renderReplicas(o);
  const cache = document.querySelector("#cache tbody");
  cache.replaceChildren(...(o.modelCache || []).map(m =>
    el("tr", {}, el("td", {}, m.uri), el("td", {}, bytes(m.bytes)), el("td", {}, m.inUse ? "yes" : "no"))));
  if (!o.modelCache || o.modelCache.length === 0) cache.append(el("tr", {}, el("td", { class: "muted", colSpan: 3 }, "empty")));
}

function renderReplicas(o) {
  const body = document.querySelector("#replicas tbody");
  body.replaceChildren();
  if (!state.selected) return;
  for (const s of o.services) for (const r of s.revisions) {
    if (s.namespace !== state.selected.namespace || r.name !== state.selected.revision) continue;
    for (const p of r.replicas) {
      // The pod's name and STATUS, as kubectl get pods shows them; the replica's own while it has no pod yet.
      body.append(el("tr", { "data-pod": p.pod || p.id }, el("td", {}, p.pod || p.id), el("td", {}, p.status || p.state),
        el("td", {}, p.cpu == null ? "–" : (p.cpu * 100).toFixed(0) + "%"), el("td", {}, bytes(p.memory)), el("td", {}, String(p.restarts))));
    }
  }
}

function select_(namespace, revision) {
  state.selected = { namespace, revision };
  document.getElementById("revision-title").textContent = `${revision} · ${namespace}`;
  for (const c of Object.values(state.charts)) c.destroy();
  state.charts = {};
  document.querySelectorAll(".revision").forEach(e => e.classList.toggle("selected", e.dataset.revision === revision));
  refreshHistory();
}

function chartData(spec, h) {
  return [h.t, ...spec.series.map(([key, , f]) => f ? h[key].map(f) : h[key])];
}

function drawCharts(h) {
  for (const spec of chartSpecs) {
    const target = document.getElementById(spec.id);
    const data = chartData(spec, h);
    if (state.charts[spec.id]) { state.charts[spec.id].setData(data); continue; }
    const scales = { x: { time: true } };
    const axes = [{}, { scale: "y" }];
    const series = [{}];
    spec.series.forEach(([key, label, , scale], i) => {
      const s = { label, stroke: COLORS[i % COLORS.length], width: 1.5, scale: scale || "y", spanGaps: false };
      if (scale === "panic") { s.fill = "rgba(217,72,15,0.12)"; s.stroke = "rgba(217,72,15,0.5)"; s.paths = uPlot.paths.stepped({ align: 1 }); }
      series.push(s);
      if (scale && !scales[scale]) {
        scales[scale] = scale === "panic" ? { range: [0, 1] } : scale === "pct" ? { range: [0, 100] } : {};
        if (scale === "pct") axes[1] = { scale };
        else if (scale !== "panic") axes.push({ scale, side: 1, grid: { show: false } });
      }
    });
    const width = Math.max(360, target.clientWidth || 420);
    state.charts[spec.id] = new uPlot({ title: spec.title, width, height: 200, series, scales, axes }, data, target);
  }
}

async function refreshHistory() {
  if (!state.selected) return;
  const { namespace, revision } = state.selected;
  let h;
  try {
    h = await getJson(`api/history?namespace=${encodeURIComponent(namespace)}&revision=${encodeURIComponent(revision)}`);
  } catch (e) {
    // A revision without history (failing, or just deleted) leaves the rest of the page working.
    document.getElementById("revision-title").textContent = `${revision} · ${namespace}: no history (${e.message})`;
    return;
  }
  if (!state.selected || state.selected.revision !== revision) return;
  state.history = h;
  drawCharts(h);
}

async function refresh() {
  try {
    const o = await getJson("api/overview");
    state.overview = o;
    renderServices(o);
    await refreshHistory();
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = "true";
  } catch (e) {
    document.getElementById("updated").textContent = "cannot reach Tide: " + e.message;
  }
}

document.getElementById("load-service").addEventListener("change", () => { state.loadChosen = true; });

document.getElementById("load-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const [namespace, service] = document.getElementById("load-service").value.split("/");
  const button = document.getElementById("load-run");
  const out = document.getElementById("load-result");
  button.disabled = true;
  out.textContent = `Sending load to ${service}…`;
  try {
    const r = await getJson("api/load", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({
      namespace, service, concurrency: Number(document.getElementById("load-concurrency").value),
      total: Number(document.getElementById("load-total").value) }) });
    out.textContent = r.text;
    out.dataset.requests = r.requests;
  } catch (e) {
    out.textContent = "Stress test failed: " + e.message;
  } finally {
    button.disabled = false;
  }
});

window.addEventListener("resize", () => {
  for (const [id, c] of Object.entries(state.charts)) c.setSize({ width: Math.max(360, document.getElementById(id).clientWidth), height: 200 });
});

refresh();
setInterval(refresh, 2000);

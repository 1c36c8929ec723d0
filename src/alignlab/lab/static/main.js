// The Lab page's glue: owns the state, talks to the server, and hands plain display
// objects to view.js. While a slider moves, frames come from the surface; on release
// or after a short idle the exact result is fetched (one request in flight).

import * as M from "./model.js";
import * as V from "./view.js";

const IDLE_MS = 250;

const app = {
  experiments: [],
  spec: null,
  state: null,
  surfaces: new Map(),
  surface: null,
  surfaceKey: null,
  exact: null,
  exactKey: null,
  serverMs: null,
  views: null,
  picker: null,
  framePending: false,
  idleTimer: null,
  firstSurfacePaint: false,
  lastHash: "",
};

const $ = (id) => document.getElementById(id);

// The status line has two parts: the exact result's and the surface's.
const status = { exact: ["", false], surface: ["", false] };

function setStatus(part, text, isError = false) {
  status[part] = [text, isError];
  const node = $("status");
  V.setText(node, [status.exact[0], status.surface[0]].filter(Boolean).join(" · "));
  node.classList.toggle("error", status.exact[1] || status.surface[1]);
}

function exactKeyOf(state) {
  return JSON.stringify(M.runRequest(state));
}

// ---------------------------------------------------------------- server

async function postRun(body) {
  const started = performance.now();
  const response = await fetch("api/run", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  const timing = /dur=([0-9.]+)/.exec(response.headers.get("Server-Timing") || "");
  return { data, serverMs: timing ? Number(timing[1]) : null, roundTripMs: performance.now() - started };
}

async function getSurface(url) {
  const response = await fetch(url);
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = (await response.json()).error; } catch (_) { /* binary or empty */ }
    throw new Error(message);
  }
  return M.decodeSurface(await response.arrayBuffer());
}

const exactFetcher = new M.LatestOnly(
  postRun,
  (reply, key) => {
    app.exact = reply.data;
    app.exactKey = key;
    app.serverMs = reply.serverMs;
    const server = reply.serverMs === null ? "?" : reply.serverMs.toFixed(1);
    setStatus("exact", `Exact result: server ${server} ms, round trip ${reply.roundTripMs.toFixed(0)} ms`);
    scheduleRender();
  },
  (error) => setStatus("exact", error.message, true),
);

const surfaceFetcher = new M.LatestOnly(
  getSurface,
  (surface, key) => {
    app.surfaces.set(key, surface);
    if (key === M.surfaceUrl(app.state)) {
      app.surface = surface;
      app.surfaceKey = key;
      showSurfaceStatus();
      scheduleRender();
    }
  },
  (error) => setStatus("surface", `surface unavailable (${error.message}); exact results only`, true),
);

function showSurfaceStatus() {
  const runs = app.surface.arrays.proxy.length;
  setStatus("surface", `dragging interpolates ${runs} runs`);
}

function loadSurface() {
  const key = M.surfaceUrl(app.state);
  if (key === app.surfaceKey) return;
  const known = app.surfaces.get(key);
  app.surface = known || null;
  app.surfaceKey = known ? key : null;
  if (known) {
    showSurfaceStatus();
  } else {
    setStatus("surface", "computing the response surface for smooth dragging…");
    surfaceFetcher.want(key, key);
  }
}

function requestExact() {
  exactFetcher.want(exactKeyOf(app.state), M.runRequest(app.state));
}

// ---------------------------------------------------------------- state

function writeHash() {
  const hash = M.toHash(app.state, app.spec);
  if (hash !== location.hash) {
    app.lastHash = hash;
    history.replaceState(null, "", hash);
  }
}

function applyState(state) {
  const spec = app.experiments.find((e) => e.id === state.experiment);
  if (!app.spec || app.spec.id !== spec.id) {
    app.spec = spec;
    app.exact = null;
    app.exactKey = null;
    app.surface = null;
    app.surfaceKey = null;
    buildViews(spec);
  }
  app.state = state;
  app.picker.set(spec.id);
  app.views.controls.set(state);
  $("seed").value = String(state.seed);
  $("seeds").value = String(state.seeds);
  writeHash();
  loadSurface();
  requestExact();
  scheduleRender();
}

function commit() {
  clearTimeout(app.idleTimer);
  app.idleTimer = null;
  writeHash();
  requestExact();
}

function buildViews(spec) {
  $("exp-title").textContent = spec.title;
  $("exp-summary").textContent = spec.summary;
  $("fr-definition").textContent = `In “${spec.title}”: ${spec.fr_definition}`;
  document.title = `alignlab · ${spec.title}`;
  const controls = V.buildControls(spec, $("sliders"), $("options"), {
    slide(name, value) {
      app.state.sliders[name] = value;
      controls.showPhysical(name, value);
      scheduleRender();
      clearTimeout(app.idleTimer);
      app.idleTimer = setTimeout(commit, IDLE_MS);
    },
    release() {
      commit();
    },
    option(name, value, input) {
      const field = M.stateFields(spec).find((f) => f.name === name);
      const parsed = field.parse(field.format(value));
      if (parsed === undefined) {
        setStatus("exact", `${name}: ${input.value} is not allowed here`, true);
        controls.set(app.state);
        return;
      }
      app.state.options[name] = parsed;
      writeHash();
      loadSurface();
      requestExact();
      scheduleRender();
    },
  });
  app.views = {
    controls,
    loop: V.createLoop($("loop")),
    chart: V.createChart($("chart"), spec),
    dial: V.createDial($("dial")),
  };
}

// ---------------------------------------------------------------- render

function currentDisplay() {
  if (!app.state) return null;
  return M.display(app.state, app.exact, app.exactKey === exactKeyOf(app.state), app.surface);
}

function render() {
  const d = currentDisplay();
  if (!d) return;
  app.views.loop.update(d);
  app.views.chart.update(d);
  app.views.dial.update(d);
  const explanation = $("explanation");
  V.setText(explanation, d.explanation);
  explanation.classList.toggle("stale", d.stale);
  const band = $("seed-band");
  V.setText(band, d.stale ? "" : M.describeSeedBand(app.exact));
  const readout = $("readout");
  readout.dataset.source = d.source;
  readout.dataset.fr = String(d.fr);
  readout.dataset.frLo = String(d.frLo);
  readout.dataset.frHi = String(d.frHi);
  readout.dataset.proxy = String(d.proxy);
  readout.dataset.true = String(d.true);
  readout.dataset.key = exactKeyOf(app.state);
  if (app.surface && !app.firstSurfacePaint) {
    // The first frame painted with the surface in hand: from here on, drags are instant.
    app.firstSurfacePaint = true;
    performance.mark("lab:first-surface-paint");
  }
  if (d.source === "surface") setStatus("exact", "≈ interpolated while you drag; exact result on release");
}

function scheduleRender() {
  if (app.framePending) return;
  app.framePending = true;
  requestAnimationFrame(() => {
    app.framePending = false;
    render();
  });
}

// ---------------------------------------------------------------- boot

async function boot() {
  let experiments;
  try {
    const response = await fetch("api/experiments");
    experiments = await response.json();
  } catch (error) {
    setStatus("exact", `Cannot reach the lab server: ${error.message}`, true);
    return;
  }
  if (!experiments.length) {
    setStatus("exact", "No experiments are registered.", true);
    return;
  }
  app.experiments = experiments;
  app.picker = V.buildPicker($("picker"), experiments, (id) => {
    const spec = experiments.find((e) => e.id === id);
    const state = M.defaultState(spec);
    state.seed = app.state ? app.state.seed : 0;
    state.seeds = app.state ? app.state.seeds : 1;
    applyState(state);
  });
  $("seed").addEventListener("change", () => {
    const v = Number($("seed").value);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) {
      setStatus("exact", "The seed must be a whole number in [0, 2^32).", true);
      $("seed").value = String(app.state.seed);
      return;
    }
    app.state.seed = v;
    writeHash();
    loadSurface();
    requestExact();
  });
  $("seeds").addEventListener("change", () => {
    const v = Number($("seeds").value);
    if (!Number.isInteger(v) || v < 1 || v > M.MAX_PAGE_SEEDS) {
      setStatus("exact", `Seeds must be a whole number from 1 to ${M.MAX_PAGE_SEEDS}.`, true);
      $("seeds").value = String(app.state.seeds);
      return;
    }
    app.state.seeds = v;
    writeHash();
    requestExact();
  });
  $("reseed").addEventListener("click", () => {
    app.state.seed = Math.floor(Math.random() * 2 ** 31);
    $("seed").value = String(app.state.seed);
    writeHash();
    loadSurface();
    requestExact();
  });
  $("copy-link").addEventListener("click", async () => {
    writeHash();
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus("exact", "Link copied: it reproduces this exact view.");
    } catch (_) {
      setStatus("exact", `Copy this link: ${location.href}`);
    }
  });
  window.addEventListener("hashchange", () => {
    if (location.hash === app.lastHash) return;
    applyState(M.parseHash(location.hash, app.experiments));
  });
  applyState(M.parseHash(location.hash, experiments));
  window.lab = app; // for the curious (and the end-to-end tests): the page's whole state
}

boot();

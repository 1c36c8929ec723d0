// The Lab inside a notebook: the page's model.js and view.js, driven by an anywidget
// model instead of the HTTP API. Python owns the exact results and the surface; this
// file only wires the same controls and views to the widget's synced traits:
//   spec (the experiment's schema), state (sliders, options, seed: written here on
//   release), exact + exact_for (the exact result and the state it is for: written by
//   Python), surface (the float32 response surface, bytes), error (one sentence).

import * as M from "./model.js";
import * as V from "./view.js";

const IDLE_MS = 250;

const TEMPLATE = `
<main class="layout">
  <section class="controls" aria-label="Controls">
    <h2 class="exp-title"></h2>
    <p class="summary exp-summary"></p>
    <div class="sliders"></div>
    <div class="options"></div>
    <div class="seed-row">
      <label>Seed <input class="seed" type="number" min="0" max="4294967295" step="1"></label>
    </div>
    <p class="status" role="status" aria-live="polite"></p>
  </section>
  <section class="stage" aria-label="Results">
    <figure class="panel loop-panel">
      <figcaption>The agent loop <span class="hint">colour and thickness: how strongly each stage acts</span></figcaption>
      <svg class="loop" viewBox="0 0 760 300" role="img" aria-label="The agent loop"></svg>
    </figure>
    <div class="row">
      <figure class="panel chart-panel">
        <figcaption>Reward against pressure
          <span class="legend"><i class="sw sw-proxy"></i>proxy <i class="sw sw-true"></i>true <i class="sw sw-fr"></i>FR /100</span>
        </figcaption>
        <svg class="chart" viewBox="0 0 520 280" role="img" aria-label="Proxy and true reward against pressure"></svg>
      </figure>
      <figure class="panel dial-panel">
        <figcaption>Failure rate</figcaption>
        <svg class="dial" viewBox="0 0 240 150" role="img" aria-label="FR per 100 dial"></svg>
        <p class="explanation" aria-live="polite"></p>
      </figure>
    </div>
  </section>
  <div class="readout visually-hidden" aria-hidden="true"></div>
</main>`;

/** An ArrayBuffer from whatever the widget transport delivers for a Bytes trait. */
function toArrayBuffer(value) {
  if (!value) return null;
  if (value instanceof ArrayBuffer) return value;
  if (ArrayBuffer.isView(value)) {
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  }
  return null;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "alignlab-widget";
  root.innerHTML = TEMPLATE;
  el.appendChild(root);
  const q = (cls) => root.querySelector(`.${cls}`);

  const spec = model.get("spec");
  const app = { state: structuredClone(model.get("state")), surface: null, idleTimer: null, pending: false };
  q("exp-title").textContent = spec.title;
  q("exp-summary").textContent = spec.summary;

  const decode = () => {
    const buffer = toArrayBuffer(model.get("surface"));
    if (!buffer || buffer.byteLength === 0) return null;
    try {
      return M.decodeSurface(buffer);
    } catch (error) {
      model.set("error", `surface unreadable: ${error.message}`);
      return null;
    }
  };
  app.surface = decode();

  const commit = () => {
    clearTimeout(app.idleTimer);
    app.idleTimer = null;
    model.set("state", structuredClone(app.state));
    model.save_changes();
  };

  const controls = V.buildControls(spec, q("sliders"), q("options"), {
    slide(name, value) {
      app.state.sliders[name] = value;
      controls.showPhysical(name, value);
      schedule();
      clearTimeout(app.idleTimer);
      app.idleTimer = setTimeout(commit, IDLE_MS);
    },
    release() {
      commit();
    },
    option(name, value) {
      app.state.options[name] = value;
      app.surface = null;
      commit();
      schedule();
    },
  });
  const views = { loop: V.createLoop(q("loop")), chart: V.createChart(q("chart"), spec), dial: V.createDial(q("dial")) };
  const seed = q("seed");
  seed.addEventListener("change", () => {
    const v = Number(seed.value);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) {
      seed.value = String(app.state.seed);
      return;
    }
    app.state.seed = v;
    app.surface = null;
    commit();
  });

  function draw() {
    app.pending = false;
    const exact = model.get("exact");
    const hasExact = exact && exact.fr !== undefined;
    const current = hasExact && JSON.stringify(model.get("exact_for")) === JSON.stringify(app.state);
    const d = M.display(app.state, hasExact ? exact : null, current, app.surface);
    const error = model.get("error");
    V.setText(q("status"), error || (d && d.source === "surface"
      ? "≈ interpolated while you drag; exact result on release"
      : app.surface ? `dragging interpolates ${app.surface.arrays.proxy.length} runs` : "computing the response surface…"));
    q("status").classList.toggle("error", Boolean(error));
    if (!d) return;
    views.loop.update(d);
    views.chart.update(d);
    views.dial.update(d);
    V.setText(q("explanation"), d.explanation);
    q("explanation").classList.toggle("stale", d.stale);
    const r = q("readout").dataset;
    r.source = d.source;
    r.fr = String(d.fr);
    r.frLo = String(d.frLo);
    r.frHi = String(d.frHi);
    r.proxy = String(d.proxy);
    r.true = String(d.true);
  }

  function schedule() {
    if (app.pending) return;
    app.pending = true;
    requestAnimationFrame(draw);
  }

  const onState = () => {
    app.state = structuredClone(model.get("state"));
    controls.set(app.state);
    seed.value = String(app.state.seed);
    schedule();
  };
  const onSurface = () => {
    app.surface = decode();
    schedule();
  };
  model.on("change:state", onState);
  model.on("change:exact", schedule);
  model.on("change:error", schedule);
  model.on("change:surface", onSurface);
  controls.set(app.state);
  seed.value = String(app.state.seed);
  schedule();
  return () => {
    clearTimeout(app.idleTimer);
    model.off("change:state", onState);
    model.off("change:exact", schedule);
    model.off("change:error", schedule);
    model.off("change:surface", onSurface);
  };
}

export default { render };

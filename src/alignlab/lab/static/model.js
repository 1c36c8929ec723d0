// The Lab's model: pure functions and small classes with no DOM access.
//
// - decodeSurface / Surface: the float32 response surface from /api/surface/{id} and its
//   interpolation (trilinear for scalars and loop values, bilinear for curves);
// - the state schema: one declared list of fields (experiment, sliders, seed, options)
//   drives parsing and writing the URL hash and building the controls;
// - LatestOnly: one request in flight, newer wishes replace queued ones, stale replies
//   are dropped.

export const SLIDERS = ["pressure", "fidelity", "oversight"];
export const MAX_PAGE_SEEDS = 16; // seeds the page's seed band may ask for (each is a full run)
export const STAGES = ["intent", "specification", "optimiser", "model", "behaviour", "proxy", "true"];

// ---------------------------------------------------------------- surface

/** Parse the binary surface layout documented in alignlab/lab/_surface.py. */
export function decodeSurface(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== "ALSF") throw new Error("not an alignlab surface");
  const headerLength = new DataView(buffer).getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const start = 8 + headerLength;
  const arrays = {};
  for (const entry of meta.arrays) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    arrays[entry.name] = new Float32Array(buffer, start + entry.offset, count);
  }
  return new Surface(meta, arrays);
}

/** Index and weight of x on an evenly spaced, increasing axis (clamped to its ends). */
function locate(axis, x) {
  const n = axis.length;
  const lo = axis[0];
  const hi = axis[n - 1];
  const u = ((Math.min(Math.max(x, lo), hi) - lo) / (hi - lo)) * (n - 1);
  const i = Math.min(Math.floor(u), n - 2);
  return [i, u - i];
}

export class Surface {
  constructor(meta, arrays) {
    this.meta = meta;
    this.arrays = arrays;
    this.fidelity = meta.axes.fidelity;
    this.oversight = meta.axes.oversight;
    this.pressure = meta.axes.pressure;
    this.curvePressure = Float64Array.from(meta.axes.curve_pressure);
    this.stages = meta.stages;
    this.rewardRange = this._range(["curve_proxy", "curve_true", "proxy", "true"]);
  }

  _range(names) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const name of names) {
      for (const v of this.arrays[name]) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    return [lo, hi];
  }

  /** Scalars and loop values at slider positions (f, o, p), trilinear between grid runs. */
  sample(f, o, p) {
    const [i, ti] = locate(this.fidelity, f);
    const [j, tj] = locate(this.oversight, o);
    const [k, tk] = locate(this.pressure, p);
    const O = this.oversight.length;
    const P = this.pressure.length;
    const S = this.stages.length;
    const corners = [];
    for (let di = 0; di < 2; di++) {
      for (let dj = 0; dj < 2; dj++) {
        for (let dk = 0; dk < 2; dk++) {
          const w = (di ? ti : 1 - ti) * (dj ? tj : 1 - tj) * (dk ? tk : 1 - tk);
          if (w > 0) corners.push([((i + di) * O + (j + dj)) * P + (k + dk), w]);
        }
      }
    }
    const out = { proxy: 0, true: 0, fr: 0, frLo: 0, frHi: 0, loop: new Float64Array(S) };
    const a = this.arrays;
    for (const [idx, w] of corners) {
      out.proxy += w * a.proxy[idx];
      out.true += w * a.true[idx];
      out.fr += w * a.fr[idx];
      out.frLo += w * a.fr_lo[idx];
      out.frHi += w * a.fr_hi[idx];
      for (let s = 0; s < S; s++) out.loop[s] += w * a.loop[idx * S + s];
    }
    return out;
  }

  /** The pressure curves at (f, o), bilinear between the grid's curves. */
  curve(f, o) {
    const [i, ti] = locate(this.fidelity, f);
    const [j, tj] = locate(this.oversight, o);
    const O = this.oversight.length;
    const C = this.curvePressure.length;
    const out = { pressure: this.curvePressure };
    for (const key of ["proxy", "true", "fr"]) {
      const src = this.arrays[`curve_${key}`];
      const dst = new Float64Array(C);
      for (let di = 0; di < 2; di++) {
        for (let dj = 0; dj < 2; dj++) {
          const w = (di ? ti : 1 - ti) * (dj ? tj : 1 - tj);
          if (w === 0) continue;
          const base = ((i + di) * O + (j + dj)) * C;
          for (let c = 0; c < C; c++) dst[c] += w * src[base + c];
        }
      }
      out[key] = dst;
    }
    return out;
  }
}

/** Where true reward peaks on a curve (first maximum), as Result.peak does in Python. */
export function peakOf(curve) {
  let best = 0;
  for (let c = 1; c < curve.true.length; c++) if (curve.true[c] > curve.true[best]) best = c;
  return { index: best, pressure: curve.pressure[best], true: curve.true[best], proxy: curve.proxy[best] };
}

/** Widen [lo, hi] to round tick steps, so small changes in the data do not jitter the axis. */
export function niceRange(lo, hi) {
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/** Linear interpolation of y(x) on increasing xs (clamped). */
export function interp(xs, ys, x) {
  if (x <= xs[0]) return ys[0];
  const n = xs.length;
  if (x >= xs[n - 1]) return ys[n - 1];
  let i = 1;
  while (xs[i] < x) i++;
  const t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

/**
 * The physical value a slider position maps to, from the schema's `physical_grid`.
 * Quantities spanning decades (n in best-of-n, steps) are interpolated geometrically.
 */
export function physicalAt(grid, x) {
  if (!grid) return null;
  const ys = grid.y;
  const positive = ys.every((y) => y > 0);
  const span = positive ? Math.max(...ys) / Math.min(...ys) : 0;
  if (positive && span >= 20) {
    return Math.exp(interp(grid.x, ys.map(Math.log), x));
  }
  return interp(grid.x, ys, x);
}

/** A compact human number: 3 significant digits, whole numbers above 100. */
export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString("en-US");
  if (a >= 10) {
    const tenths = Math.round(v * 10) / 10;
    return Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
  }
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(2);
}

// ---------------------------------------------------------------- state <-> URL

/**
 * The declared state schema of one experiment: every field the URL hash carries.
 * Each field: {name, kind: "experiment"|"slider"|"seed"|"option", default, parse, format}.
 * `parse` returns undefined for a value that is not allowed, so a hand-edited link falls
 * back to the default for that field instead of breaking the page.
 */
export function stateFields(spec) {
  const fields = [
    { name: "experiment", kind: "experiment", default: spec.id, parse: (s) => s, format: (v) => v },
  ];
  for (const slider of spec.sliders) {
    fields.push({
      name: slider.name,
      kind: "slider",
      default: slider.default,
      parse: (s) => {
        const v = Number(s);
        return s !== "" && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined;
      },
      // Full precision: the URL must hold exactly the value the exact result was run at.
      format: (v) => String(v),
    });
  }
  fields.push({
    name: "seed",
    kind: "seed",
    default: 0,
    parse: (s) => {
      const v = Number(s);
      return s !== "" && Number.isInteger(v) && v >= 0 && v < 2 ** 32 ? v : undefined;
    },
    format: (v) => String(v),
  });
  fields.push({
    name: "seeds",
    kind: "seeds",
    default: 1,
    parse: (s) => {
      const v = Number(s);
      return s !== "" && Number.isInteger(v) && v >= 1 && v <= MAX_PAGE_SEEDS ? v : undefined;
    },
    format: (v) => String(v),
  });
  for (const opt of spec.options) {
    fields.push({ name: opt.name, kind: "option", default: opt.default, option: opt, ...optionCodec(opt) });
  }
  return fields;
}

function optionCodec(opt) {
  if (opt.kind === "choice") {
    return { parse: (s) => (opt.choices.includes(s) ? s : undefined), format: (v) => v };
  }
  if (opt.kind === "bool") {
    return {
      parse: (s) => (s === "true" ? true : s === "false" ? false : undefined),
      format: (v) => (v ? "true" : "false"),
    };
  }
  return {
    parse: (s) => {
      const v = Number(s);
      if (s === "" || !Number.isFinite(v)) return undefined;
      if (opt.kind === "int" && !Number.isInteger(v)) return undefined;
      if ((opt.low !== null && v < opt.low) || (opt.high !== null && v > opt.high)) return undefined;
      return v;
    },
    format: (v) => String(v),
  };
}

/** The default state of one experiment. */
export function defaultState(spec) {
  const state = { experiment: spec.id, sliders: {}, seed: 0, seeds: 1, options: {} };
  for (const field of stateFields(spec)) setField(state, field, field.default);
  return state;
}

function setField(state, field, value) {
  if (field.kind === "slider") state.sliders[field.name] = value;
  else if (field.kind === "option") state.options[field.name] = value;
  else state[field.name] = value;
}

function getField(state, field) {
  if (field.kind === "slider") return state.sliders[field.name];
  if (field.kind === "option") return state.options[field.name];
  return state[field.name];
}

/** Read a state from a URL hash ("#experiment=goodhart&pressure=0.8..."). */
export function parseHash(hash, experiments) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const spec = experiments.find((e) => e.id === params.get("experiment")) || experiments[0];
  const state = defaultState(spec);
  for (const field of stateFields(spec)) {
    if (field.kind === "experiment" || !params.has(field.name)) continue;
    const value = field.parse(params.get(field.name));
    if (value !== undefined) setField(state, field, value);
  }
  return state;
}

/** Write a state as a URL hash; every field is written so a link pins the whole view. */
export function toHash(state, spec) {
  const params = new URLSearchParams();
  for (const field of stateFields(spec)) params.set(field.name, field.format(getField(state, field)));
  return "#" + params.toString();
}

/** The body of POST /api/run for a state; `seeds` only when a seed band is asked for. */
export function runRequest(state) {
  const body = { experiment: state.experiment, params: { ...state.sliders }, options: { ...state.options }, seed: state.seed };
  if (state.seeds > 1) body.seeds = state.seeds;
  return body;
}

/** One line on the seed band of an exact result, or "" when it has none. */
export function describeSeedBand(result) {
  const band = result && result.seed_band;
  if (!band) return "";
  const k = band.seeds.length;
  const f = formatNumber;
  return (
    `Across ${k} seeds (${band.seeds[0]}–${band.seeds[k - 1]}): FR mean ${f(band.mean)}, ` +
    `sd ${f(band.sd)}, range ${f(band.min)}–${f(band.max)}; 95% interval of the mean ` +
    `${f(band.mean_ci[0])}–${f(band.mean_ci[1])}, for a new seed ${f(band.prediction[0])}–` +
    `${f(band.prediction[1])}. The dial's interval covers seed ${band.seeds[0]} alone ` +
    `(${band.within_seed_ci_covering_mean} of ${k} seeds' own intervals hold the mean).`
  );
}

/** The surface URL for a state (surfaces depend on experiment, options and seed only). */
export function surfaceUrl(state) {
  const params = new URLSearchParams({ seed: String(state.seed) });
  for (const [name, value] of Object.entries(state.options)) params.set(name, String(value));
  return `api/surface/${encodeURIComponent(state.experiment)}?${params.toString()}`;
}

// ---------------------------------------------------------------- display

/** What the views draw, from an exact result (`stale`: it is for other settings). */
export function displayFromExact(result, sliders, stale) {
  const byStage = Object.fromEntries(result.loop.map((s) => [s.stage, s]));
  const loop = STAGES.map((s) => (byStage[s] ? byStage[s].value : 0));
  return {
    source: stale ? "stale" : "exact",
    stale,
    sliders: stale ? { ...sliders } : result.params,
    proxy: result.proxy,
    true: result.true,
    fr: result.fr,
    frLo: result.fr_ci[0],
    frHi: result.fr_ci[1],
    loop,
    labels: STAGES.map((s) => (byStage[s] ? byStage[s].label : s)),
    details: STAGES.map((s) => (byStage[s] ? byStage[s].detail : "")),
    curve: result.curve,
    peak: result.peak,
    explanation: result.explanation,
  };
}

/** What the views draw while dragging: the surface interpolated at the sliders. */
export function displayFromSurface(surface, sliders, lastExact) {
  const sample = surface.sample(sliders.fidelity, sliders.oversight, sliders.pressure);
  const curve = surface.curve(sliders.fidelity, sliders.oversight);
  const last = lastExact ? displayFromExact(lastExact, sliders, true) : null;
  return {
    source: "surface",
    stale: true,
    sliders: { ...sliders },
    proxy: sample.proxy,
    true: sample.true,
    fr: sample.fr,
    frLo: sample.frLo,
    frHi: sample.frHi,
    loop: Array.from(sample.loop),
    labels: last ? last.labels : STAGES,
    details: last ? last.details : null,
    curve,
    peak: peakOf(curve),
    explanation: last ? last.explanation : "",
  };
}

function curveRange(curve) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const key of ["proxy", "true"]) {
    for (const v of curve[key]) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * The display for a state: the exact result when it is for these settings, else the
 * surface interpolated while dragging, else the last exact result marked stale.
 * `exactIsCurrent` says whether `exact` was computed for `state`.
 */
export function display(state, exact, exactIsCurrent, surface) {
  let d = null;
  if (exact && exactIsCurrent) d = displayFromExact(exact, state.sliders, false);
  else if (surface) d = displayFromSurface(surface, state.sliders, exact);
  else if (exact) d = displayFromExact(exact, state.sliders, true);
  if (!d) return null;
  // The reward axis follows the curve shown, rounded to whole tick steps: dragging
  // pressure never moves it, and fidelity or oversight move it only in clear steps.
  const [lo, hi] = curveRange(d.curve);
  d.rewardRange = niceRange(Math.min(lo, d.proxy, d.true), Math.max(hi, d.proxy, d.true));
  return d;
}

// ---------------------------------------------------------------- requests

/**
 * Keeps at most one request in flight. `want(key, arg)` records the latest wish; when
 * the in-flight request returns, its reply is delivered only if its key is still the
 * latest wish (stale replies are dropped), and the latest wish is then sent.
 */
export class LatestOnly {
  constructor(send, deliver, fail = () => {}) {
    this.send = send;
    this.deliver = deliver;
    this.fail = fail;
    this.inFlight = null;
    this.latest = null;
    this.queued = null;
    this.dropped = 0;
  }

  want(key, arg) {
    this.latest = key;
    if (this.inFlight === key) {
      this.queued = null;
      return;
    }
    if (this.inFlight !== null) {
      this.queued = [key, arg];
      return;
    }
    this._go(key, arg);
  }

  async _go(key, arg) {
    this.inFlight = key;
    let reply;
    let error = null;
    try {
      reply = await this.send(arg);
    } catch (err) {
      error = err;
    }
    this.inFlight = null;
    if (key !== this.latest) this.dropped += 1;
    else if (error) this.fail(error, key);
    else this.deliver(reply, key);
    const next = this.queued;
    this.queued = null;
    if (next && next[0] === this.latest) this._go(next[0], next[1]);
  }
}

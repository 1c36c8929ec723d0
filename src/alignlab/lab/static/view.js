// The Lab's DOM code: builds controls from an experiment's schema and draws the loop
// diagram, the chart and the FR dial from a plain "display" object. No fetching and no
// state live here; main.js owns both.

import { SLIDERS, STAGES, formatNumber, interp, physicalAt } from "./model.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function svg(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function clip(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** Greedy word wrap into at most `lines` lines of `width` characters (last one clipped). */
export function wrap(text, width, lines) {
  const out = [];
  let line = "";
  const words = text.split(/\s+/).filter(Boolean);
  for (let w = 0; w < words.length; w++) {
    const word = words[w];
    const next = line ? `${line} ${word}` : word;
    if (next.length <= width || !line) {
      line = next;
      continue;
    }
    out.push(line);
    line = word;
    if (out.length === lines - 1) {
      line = words.slice(w).join(" ");
      break;
    }
  }
  if (line) out.push(line);
  return out.slice(0, lines).map((l) => clip(l, width));
}

/** Set a node's text only when it changes: rewriting equal text still costs a layout. */
export function setText(node, text) {
  if (node.__text === text) return;
  node.__text = text;
  node.textContent = text;
}

function setLines(textNode, lines, x, lineHeight) {
  const key = lines.join("\n");
  if (textNode.__text === key) return;
  textNode.__text = key;
  textNode.replaceChildren();
  lines.forEach((line, i) => svg("tspan", { x, dy: i === 0 ? 0 : lineHeight }, textNode, line));
}

/** Intensity in [0, 1] to a colour on a calm-slate to deep-indigo ramp. */
export function ramp(v) {
  const t = Math.min(Math.max(v, 0), 1);
  const a = [148, 163, 184];
  const b = [67, 56, 202];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// ---------------------------------------------------------------- controls

/** Radio pills for every registered experiment. */
export function buildPicker(container, experiments, onPick) {
  container.querySelectorAll("label").forEach((n) => n.remove());
  for (const spec of experiments) {
    const label = el("label", { title: spec.summary }, container);
    const input = el("input", { type: "radio", name: "experiment", value: spec.id }, label);
    label.appendChild(document.createTextNode(spec.title));
    input.addEventListener("change", () => input.checked && onPick(spec.id));
  }
  return {
    set(id) {
      for (const input of container.querySelectorAll("input")) input.checked = input.value === id;
    },
  };
}

/**
 * Sliders and option controls built from the experiment's schema.
 * handlers: {slide(name, value), release(name), option(name, value)}.
 */
export function buildControls(spec, slidersBox, optionsBox, handlers) {
  slidersBox.replaceChildren();
  optionsBox.replaceChildren();
  const inputs = {};
  const outputs = {};
  const positions = {};
  for (const slider of spec.sliders) {
    const box = el("div", { class: "slider", "data-slider": slider.name }, slidersBox);
    const head = el("div", { class: "slider-head" }, box);
    const label = el("label", { for: `s-${slider.name}` }, head, slider.label + " ");
    el("span", { class: "quantity" }, label, `· ${slider.quantity}`);
    outputs[slider.name] = el("output", { for: `s-${slider.name}`, id: `phys-${slider.name}` }, head);
    const input = el("input", {
      type: "range", id: `s-${slider.name}`, name: slider.name, min: "0", max: "1", step: "0.01",
      "aria-describedby": `h-${slider.name}`,
    }, box);
    input.addEventListener("input", () => handlers.slide(slider.name, Number(input.value)));
    input.addEventListener("change", () => handlers.release(slider.name));
    inputs[slider.name] = input;
    const help = el("p", { class: "help", id: `h-${slider.name}` }, box, slider.help + " ");
    positions[slider.name] = el("span", { class: "pos" }, help);
  }
  const optionInputs = {};
  for (const opt of spec.options) {
    const box = el("div", { class: "option" }, optionsBox);
    const id = `o-${opt.name}`;
    el("label", { for: id }, box, opt.name);
    let input;
    if (opt.kind === "choice") {
      input = el("select", { id, name: opt.name }, box);
      for (const choice of opt.choices) el("option", { value: choice }, input, choice);
    } else if (opt.kind === "bool") {
      input = el("input", { id, name: opt.name, type: "checkbox" }, box);
    } else {
      input = el("input", { id, name: opt.name, type: "number", step: opt.kind === "int" ? "1" : "any" }, box);
      if (opt.low !== null) input.min = String(opt.low);
      if (opt.high !== null) input.max = String(opt.high);
    }
    el("p", { class: "help" }, box, opt.help);
    input.addEventListener("change", () => {
      let value;
      if (opt.kind === "bool") value = input.checked;
      else if (opt.kind === "choice") value = input.value;
      else value = Number(input.value);
      handlers.option(opt.name, value, input);
    });
    optionInputs[opt.name] = [opt, input];
  }

  const bySlider = Object.fromEntries(spec.sliders.map((s) => [s.name, s]));
  function showPhysical(name, value) {
    const slider = bySlider[name];
    const phys = physicalAt(slider.physical_grid, value);
    const unit = slider.unit ? ` ${slider.unit}` : "";
    const text = phys === null ? value.toFixed(2) : `${formatNumber(phys)}${unit}`;
    setText(outputs[name], text);
    inputs[name].setAttribute("aria-valuetext", phys === null ? text : `${text} ${slider.quantity}`);
    setText(positions[name], `(slider ${value.toFixed(2)})`);
  }

  return {
    inputs,
    showPhysical,
    set(state) {
      for (const name of SLIDERS) {
        inputs[name].value = String(state.sliders[name]);
        showPhysical(name, state.sliders[name]);
      }
      for (const [name, [opt, input]] of Object.entries(optionInputs)) {
        const value = state.options[name];
        if (opt.kind === "bool") input.checked = Boolean(value);
        else input.value = String(value);
      }
    },
  };
}

// ---------------------------------------------------------------- loop diagram

const BOX_W = 128;
const BOX_H = 96;
const BOX_Y = 22;
const BOX_X = [12, 162, 312, 462, 612];
const METER_X = 312;
const METER_W = 276;
const PROXY_Y = 162;
const TRUE_Y = 238;
const METER_H = 48;
const BAR_X = METER_X + 12;
const BAR_W = METER_W - 72;

function arrowHead(parent, cls) {
  return svg("path", { class: cls }, parent);
}

function headAt(x, y, dir, size) {
  // A filled triangle pointing in `dir` ("right", "up", "down", "left") with its tip at (x, y).
  const s = size;
  const pts = {
    right: [[x, y], [x - s, y - s * 0.6], [x - s, y + s * 0.6]],
    left: [[x, y], [x + s, y - s * 0.6], [x + s, y + s * 0.6]],
    up: [[x, y], [x - s * 0.6, y + s], [x + s * 0.6, y + s]],
    down: [[x, y], [x - s * 0.6, y - s], [x + s * 0.6, y - s]],
  }[dir];
  return "M" + pts.map((p) => p.join(",")).join("L") + "Z";
}

/** Build the agent-loop diagram once per experiment; returns {update(display)}. */
export function createLoop(root) {
  root.querySelectorAll(":scope > g").forEach((n) => n.remove());
  const g = svg("g", {}, root);
  const links = svg("g", {}, g);
  const nodes = {};
  // Forward links between consecutive stages.
  const forward = [];
  for (let s = 0; s < 4; s++) {
    const x1 = BOX_X[s] + BOX_W;
    const x2 = BOX_X[s + 1];
    const y = BOX_Y + BOX_H / 2;
    const line = svg("path", { class: "link", d: `M${x1 + 2},${y}L${x2 - 8},${y}`, "data-link": `${STAGES[s]}-${STAGES[s + 1]}` }, links);
    const head = arrowHead(links, "head");
    forward.push({ line, head, tip: [x2 - 2, y] });
  }
  // Behaviour down into both meters.
  const bx = BOX_X[4] + BOX_W / 2;
  const pyMid = PROXY_Y + METER_H / 2;
  const tyMid = TRUE_Y + METER_H / 2;
  const toMeters = svg("path", {
    class: "link", "data-link": "behaviour-meters",
    d: `M${bx},${BOX_Y + BOX_H + 2}L${bx},${tyMid}L${METER_X + METER_W + 8},${tyMid}M${bx},${pyMid}L${METER_X + METER_W + 8},${pyMid}`,
  }, links);
  const toMetersHeads = [arrowHead(links, "head"), arrowHead(links, "head")];
  // Proxy meter feeds the optimiser: the reward signal it climbs.
  const ox = BOX_X[2] + BOX_W / 2;
  const feedback = svg("path", { class: "link", "data-link": "proxy-optimiser", d: `M${ox},${PROXY_Y - 2}L${ox},${BOX_Y + BOX_H + 10}` }, links);
  const feedbackHead = arrowHead(links, "head");
  svg("text", { x: ox + 10, y: PROXY_Y - 18, class: "meter-value" }, links, "reward signal the optimiser climbs");
  // True meter closes the loop back to intent, dashed: only we can check it.
  const ix = BOX_X[0] + BOX_W / 2;
  const judge = svg("path", {
    class: "link", "data-link": "true-intent", "stroke-dasharray": "6 5",
    d: `M${METER_X - 2},${tyMid}L${ix},${tyMid}L${ix},${BOX_Y + BOX_H + 10}`,
  }, links);
  const judgeHead = arrowHead(links, "head");
  svg("text", { x: ix + 10, y: tyMid - 8, class: "meter-value" }, links, "what we meant: did we get it?");

  for (let s = 0; s < 5; s++) {
    const name = STAGES[s];
    const node = svg("g", { class: "node", "data-stage": name, transform: `translate(${BOX_X[s]},${BOX_Y})` }, g);
    const title = svg("title", {}, node);
    const box = svg("rect", { class: "box", width: BOX_W, height: BOX_H, rx: 10 }, node);
    svg("text", { class: "stage-name", x: 10, y: 16 }, node, name.toUpperCase());
    const label = svg("text", { class: "stage-label", x: 10, y: 32 }, node);
    const detail = svg("text", { class: "stage-detail", x: 10, y: 62 }, node);
    svg("rect", { x: 10, y: 83, width: BOX_W - 20, height: 5, rx: 2.5, fill: "#eef2f7" }, node);
    const bar = svg("rect", { x: 10, y: 83, width: 0, height: 5, rx: 2.5 }, node);
    nodes[name] = { node, title, box, label, detail, bar };
  }
  const meters = {};
  // The proxy bar sits at the bottom of its meter and the true bar at the top of its own,
  // so the two bars face each other across the gap band.
  const PROXY_BAR_Y = PROXY_Y + 28;
  const TRUE_BAR_Y = TRUE_Y + 8;
  for (const [name, y, barY, textY, title, colour] of [
    ["proxy", PROXY_Y, PROXY_BAR_Y, PROXY_Y + 18, "Proxy reward · what the optimiser sees", "var(--proxy)"],
    ["true", TRUE_Y, TRUE_BAR_Y, TRUE_Y + 38, "True reward · what we meant", "var(--true)"],
  ]) {
    const node = svg("g", { class: "meter", "data-stage": name }, g);
    const tip = svg("title", {}, node);
    svg("rect", { x: METER_X, y, width: METER_W, height: METER_H, rx: 10, fill: "#fff", stroke: colour, "stroke-width": 1.5 }, node);
    svg("text", { class: "meter-name", x: METER_X + 12, y: textY, fill: colour }, node, title);
    const value = svg("text", { class: "meter-value", x: METER_X + METER_W - 10, y: barY + 10, "text-anchor": "end" }, node);
    svg("rect", { class: "meter-track", x: BAR_X, y: barY, width: BAR_W, height: 12, rx: 6 }, node);
    const bar = svg("rect", { x: BAR_X, y: barY, width: 0, height: 12, rx: 6, fill: colour }, node);
    meters[name] = { node, tip, value, bar };
  }
  const gapBand = svg("rect", { class: "gap-band", "data-role": "gap", x: BAR_X, y: PROXY_BAR_Y, width: 0, height: TRUE_BAR_Y + 12 - PROXY_BAR_Y }, g);
  const gapText = svg("text", { class: "gap-text", x: BAR_X, y: (PROXY_Y + METER_H + TRUE_Y) / 2 + 4 }, g);

  function styleLink(line, head, value, tip, dir) {
    const width = 1.5 + 7 * value;
    const colour = ramp(value);
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", width.toFixed(2));
    head.setAttribute("fill", colour);
    head.setAttribute("d", headAt(tip[0], tip[1], dir, 6 + 0.8 * width));
  }

  return {
    update(d) {
      const value = Object.fromEntries(STAGES.map((s, i) => [s, d.loop[i]]));
      for (let s = 0; s < 5; s++) {
        const name = STAGES[s];
        const n = nodes[name];
        const v = value[name];
        n.node.setAttribute("data-value", v.toFixed(4));
        n.box.setAttribute("stroke", ramp(v));
        n.box.setAttribute("stroke-width", (1.2 + 3 * v).toFixed(2));
        n.bar.setAttribute("width", ((BOX_W - 20) * Math.min(Math.max(v, 0), 1)).toFixed(1));
        n.bar.setAttribute("fill", ramp(v));
        const label = d.labels ? d.labels[s] : name;
        const detail = d.details ? d.details[s] : "";
        setLines(n.label, wrap(label, 16, 2), 10, 13);
        setLines(n.detail, wrap(detail, 21, 2), 10, 11.5);
        n.detail.classList.toggle("stale", d.stale);
        setText(n.title, `${name}: ${label}${detail ? ` — ${detail}` : ""}`);
      }
      for (let s = 0; s < 4; s++) styleLink(forward[s].line, forward[s].head, value[STAGES[s]], forward[s].tip, "right");
      styleLink(toMeters, toMetersHeads[0], value.behaviour, [METER_X + METER_W + 2, pyMid], "left");
      toMetersHeads[1].setAttribute("d", headAt(METER_X + METER_W + 2, tyMid, "left", 6 + 0.8 * (1.5 + 7 * value.behaviour)));
      toMetersHeads[1].setAttribute("fill", ramp(value.behaviour));
      styleLink(feedback, feedbackHead, value.proxy, [ox, BOX_Y + BOX_H + 2], "up");
      feedback.setAttribute("stroke", "var(--proxy)");
      feedbackHead.setAttribute("fill", "var(--proxy)");
      styleLink(judge, judgeHead, value.true, [ix, BOX_Y + BOX_H + 2], "up");
      judge.setAttribute("stroke", "var(--true)");
      judgeHead.setAttribute("fill", "var(--true)");
      const ends = {};
      for (const name of ["proxy", "true"]) {
        const v = Math.min(Math.max(value[name], 0), 1);
        const m = meters[name];
        m.node.setAttribute("data-value", value[name].toFixed(4));
        m.bar.setAttribute("width", (BAR_W * v).toFixed(1));
        const reading = name === "proxy" ? d.proxy : d.true;
        setText(m.value, formatNumber(reading));
        const idx = STAGES.indexOf(name);
        const detail = d.details ? d.details[idx] : "";
        setText(m.tip, `${name} reward ${formatNumber(reading)} ${detail}`);
        ends[name] = BAR_X + BAR_W * v;
      }
      const gap = value.proxy - value.true;
      const lo = Math.min(ends.proxy, ends.true);
      gapBand.setAttribute("x", lo.toFixed(1));
      gapBand.setAttribute("width", Math.abs(ends.proxy - ends.true).toFixed(1));
      gapBand.setAttribute("data-gap", gap.toFixed(4));
      const textX = Math.max(ends.proxy, ends.true) + 6;
      gapText.setAttribute("x", Math.min(textX, METER_X + METER_W - 56).toFixed(1));
      // The bars share one normalised scale (the result's loop values), so the band's
      // width is the gap; raw proxy and true readings need not share units.
      setText(gapText, gap >= 0 ? "gap" : "gap (true ahead)");
    },
  };
}

// ---------------------------------------------------------------- chart

const CH = { w: 520, h: 280, l: 48, r: 42, t: 18, b: 50 };

/** Build the reward-vs-pressure chart once per experiment; returns {update(display)}. */
export function createChart(root, spec) {
  root.replaceChildren();
  const pw = CH.w - CH.l - CH.r;
  const ph = CH.h - CH.t - CH.b;
  const xOf = (p) => CH.l + p * pw;
  const pressureSlider = spec.sliders.find((s) => s.name === "pressure");
  const grid = svg("g", { class: "grid" }, root);
  const clipId = `plot-${Math.random().toString(36).slice(2)}`;
  const defs = svg("defs", {}, root);
  const clipPath = svg("clipPath", { id: clipId }, defs);
  svg("rect", { x: CH.l, y: CH.t - 6, width: pw, height: ph + 6 }, clipPath);
  const plot = svg("g", { "clip-path": `url(#${clipId})` }, root);
  const pastPeak = svg("rect", { class: "past-peak", y: CH.t, height: ph }, plot);
  const frPath = svg("path", { class: "c-fr" }, plot);
  const proxyPath = svg("path", { class: "c-proxy", "data-series": "proxy" }, plot);
  const truePath = svg("path", { class: "c-true", "data-series": "true" }, plot);
  const axes = svg("g", { class: "axis" }, root);
  const yTicks = svg("g", { class: "axis" }, root);
  svg("line", { x1: CH.l, x2: CH.l + pw, y1: CH.t + ph, y2: CH.t + ph }, axes);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = xOf(t);
    svg("line", { x1: x, x2: x, y1: CH.t, y2: CH.t + ph }, grid);
    svg("line", { x1: x, x2: x, y1: CH.t + ph, y2: CH.t + ph + 4 }, axes);
    svg("text", { x, y: CH.t + ph + 15, "text-anchor": "middle" }, axes, t.toFixed(2));
    const phys = physicalAt(pressureSlider.physical_grid, t);
    if (phys !== null) svg("text", { x, y: CH.t + ph + 27, "text-anchor": "middle" }, axes, formatNumber(phys));
  }
  const unit = pressureSlider.unit ? ` (${pressureSlider.unit})` : "";
  svg("text", { x: CH.l + pw / 2, y: CH.h - 6, "text-anchor": "middle" }, axes, `pressure → ${pressureSlider.quantity}${unit}`);
  for (const v of [0, 50, 100]) {
    svg("text", { x: CH.l + pw + 6, y: CH.t + ph * (1 - v / 100) + 4 }, axes, `${v}`);
  }
  svg("text", { x: CH.w - 4, y: CH.t - 6, "text-anchor": "end" }, axes, "FR");
  svg("text", { x: CH.l - 6, y: CH.t - 6, "text-anchor": "end" }, axes, "reward");
  const cursor = svg("line", { class: "cursor", y1: CH.t, y2: CH.t + ph }, root);
  const peakMark = svg("path", { class: "peak-mark" }, root);
  const peakText = svg("text", { class: "peak-text", "text-anchor": "middle" }, root);
  const dotProxy = svg("circle", { class: "dot-proxy", r: 5.5, "data-point": "proxy" }, root);
  const dotTrue = svg("circle", { class: "dot-true", r: 5.5, "data-point": "true" }, root);
  let shownRange = null;

  function drawYTicks(lo, hi, yOf) {
    yTicks.replaceChildren();
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      const y = yOf(v);
      svg("line", { x1: CH.l - 4, x2: CH.l, y1: y, y2: y }, yTicks);
      svg("text", { x: CH.l - 7, y: y + 3.5, "text-anchor": "end" }, yTicks, formatNumber(v));
    }
  }

  return {
    update(d) {
      const [lo, hi] = d.rewardRange;
      const yOf = (v) => CH.t + ph * (1 - (v - lo) / (hi - lo));
      const frY = (v) => CH.t + ph * (1 - v / 100);
      const key = `${lo}|${hi}`;
      if (key !== shownRange) {
        drawYTicks(lo, hi, yOf);
        shownRange = key;
      }
      const c = d.curve;
      const line = (ys, f) => {
        let s = "";
        for (let i = 0; i < c.pressure.length; i++) s += `${i ? "L" : "M"}${xOf(c.pressure[i]).toFixed(1)},${f(ys[i]).toFixed(1)}`;
        return s;
      };
      proxyPath.setAttribute("d", line(c.proxy, yOf));
      truePath.setAttribute("d", line(c.true, yOf));
      const n = c.pressure.length;
      frPath.setAttribute("d", `${line(c.fr, frY)}L${xOf(c.pressure[n - 1]).toFixed(1)},${frY(0)}L${xOf(c.pressure[0]).toFixed(1)},${frY(0)}Z`);
      const p = d.sliders.pressure;
      const x = xOf(p);
      cursor.setAttribute("x1", x.toFixed(1));
      cursor.setAttribute("x2", x.toFixed(1));
      const yProxy = interp(c.pressure, c.proxy, p);
      const yTrue = interp(c.pressure, c.true, p);
      dotProxy.setAttribute("cx", x.toFixed(1));
      dotProxy.setAttribute("cy", yOf(yProxy).toFixed(1));
      dotProxy.setAttribute("data-value", yProxy.toFixed(5));
      dotTrue.setAttribute("cx", x.toFixed(1));
      dotTrue.setAttribute("cy", yOf(yTrue).toFixed(1));
      dotTrue.setAttribute("data-value", yTrue.toFixed(5));
      const px = xOf(d.peak.pressure);
      const py = yOf(d.peak.true);
      peakMark.setAttribute("d", headAt(px, py - 4, "down", 8));
      peakMark.setAttribute("data-pressure", d.peak.pressure.toFixed(4));
      // Label beside the marker, on the side with room, above it unless that leaves the plot.
      const right = px < CH.l + pw / 2;
      peakText.setAttribute("text-anchor", right ? "start" : "end");
      peakText.setAttribute("x", (px + (right ? 8 : -8)).toFixed(1));
      peakText.setAttribute("y", (py - 19 < CH.t + 9 ? py + 16 : py - 8).toFixed(1));
      setText(peakText, `true reward peaks (${formatNumber(d.peak.true)})`);
      pastPeak.setAttribute("x", px.toFixed(1));
      pastPeak.setAttribute("width", Math.max(CH.l + pw - px, 0).toFixed(1));
      root.setAttribute("data-pressure", p.toFixed(4));
    },
  };
}

// ---------------------------------------------------------------- dial

const DIAL = { cx: 120, cy: 108, r: 84 };

function dialPoint(v, r) {
  const theta = Math.PI * (1 - Math.min(Math.max(v, 0), 100) / 100);
  return [DIAL.cx + r * Math.cos(theta), DIAL.cy - r * Math.sin(theta)];
}

function arc(a, b, r) {
  const [x1, y1] = dialPoint(a, r);
  const [x2, y2] = dialPoint(b, r);
  return `M${x1.toFixed(2)},${y1.toFixed(2)}A${r},${r} 0 0 1 ${x2.toFixed(2)},${y2.toFixed(2)}`;
}

/** Build the FR /100 dial; returns {update(display)}. */
export function createDial(root) {
  root.replaceChildren();
  root.setAttribute("viewBox", "0 0 240 170");
  svg("path", { class: "dial-track", d: arc(0, 100, DIAL.r) }, root);
  const ci = svg("path", { class: "dial-ci" }, root);
  for (const v of [0, 25, 50, 75, 100]) {
    const [x, y] = dialPoint(v, DIAL.r + 17);
    svg("text", { class: "dial-tick", x: x.toFixed(1), y: (y + 3).toFixed(1), "text-anchor": "middle" }, root, String(v));
  }
  const needle = svg("line", { class: "dial-needle", x1: DIAL.cx, y1: DIAL.cy }, root);
  svg("circle", { cx: DIAL.cx, cy: DIAL.cy, r: 6, fill: "var(--ink)" }, root);
  const value = svg("text", { class: "dial-value", x: DIAL.cx - 6, y: DIAL.cy + 38, "text-anchor": "end", id: "fr-value" }, root);
  svg("text", { class: "dial-unit", x: DIAL.cx - 2, y: DIAL.cy + 38 }, root, "/ 100");
  const interval = svg("text", { class: "dial-ci-text", x: DIAL.cx, y: DIAL.cy + 56, "text-anchor": "middle" }, root);
  return {
    update(d) {
      const [x, y] = dialPoint(d.fr, DIAL.r - 10);
      needle.setAttribute("x2", x.toFixed(2));
      needle.setAttribute("y2", y.toFixed(2));
      ci.setAttribute("d", arc(d.frLo, Math.max(d.frHi, d.frLo + 0.3), DIAL.r));
      setText(value, `${d.source === "exact" ? "" : "≈"}${d.fr.toFixed(1)}`);
      setText(interval, `95% interval ${d.frLo.toFixed(1)}–${d.frHi.toFixed(1)}`);
      root.setAttribute("data-fr", d.fr.toFixed(4));
      root.setAttribute(
        "aria-label",
        `FR ${d.fr.toFixed(1)} per 100, 95% interval ${d.frLo.toFixed(1)} to ${d.frHi.toFixed(1)}`,
      );
    },
  };
}

// WebGPU in headless Chromium (--enable-unsafe-webgpu: Dawn on SwiftShader, a CPU
// implementation): the correctness gate (the paper's model, small, trains on WebGPU with the
// CPU backend's loss curve from the same initial weights), the benchmark page's figures (an
// ensemble against single runs too), the fall-back to the CPU when the GPU device is lost in
// the middle of a run, and the default notebook's Run all on WebGPU with the page's
// responsiveness measured.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot, beforeWorkers } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

// SwiftShader trains this model at a fraction of a step per second; 20 steps with a read after
// each fit the test command's budget (a curve over more steps is the benchmark page's job).
const GATE_STEPS = 20;
const GATE_TOLERANCE = 1e-3;
// A page that stops answering for this long is frozen, whatever the machine's load.
const FREEZE_MS = 500;

test("the benchmark page trains on WebGPU with the CPU backend's loss curve", { timeout: 1_500_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?bench&p=23&d_model=32&steps=${GATE_STEPS}&every=1`, { webgpu: true });
  try {
    await page.waitForSelector("#bench[data-state=done]", { timeout: 1_400_000 });
    await screenshot(page, "bench-webgpu");
    assert.equal(await page.textContent("#bench .error"), "");
    const [gpu, cpu] = JSON.parse(await page.getAttribute("#bench", "data-result"));
    assert.match(gpu.backend, /WebGPU/);
    assert.match(cpu.backend, /CPU/);
    assert.equal(gpu.losses.length, GATE_STEPS + 1);
    let worst = 0;
    for (let i = 0; i <= GATE_STEPS; i++) {
      const [[step, a], [, b]] = [cpu.losses[i], gpu.losses[i]];
      const d = Math.abs(a - b) / Math.abs(a);
      worst = Math.max(worst, d);
      assert.ok(d <= GATE_TOLERANCE, `step ${step}: CPU loss ${a}, WebGPU loss ${b}`);
    }
    assert.ok(cpu.losses.at(-1)[1] < cpu.losses[0][1], "the loss fell");
    for (const m of [gpu, cpu]) assert.ok(Math.abs(m.reads_per_step - 1) < 1e-9, `${m.backend}: ${m.reads_per_step} reads per step`);
    console.log(`WebGPU vs CPU over ${GATE_STEPS} steps: largest relative loss difference ${worst.toExponential(2)}`);
    for (const m of [gpu, cpu]) console.log(`${m.backend}: first step ${m.first_step_s.toFixed(2)} s, ${m.steps_per_s.toFixed(2)} steps/s`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("the benchmark page measures an ensemble against single runs on WebGPU and on the CPU", { timeout: 900_000 }, async () => {
  // A tiny model and a few steps: the figures worth reading come from larger runs (docs/sweeps.md).
  const { page, errors, close } = await open(`${server.url}?bench&p=11&d_model=16&steps=3&every=3&k=4`, { webgpu: true });
  try {
    await page.waitForSelector("#bench[data-state=done]", { timeout: 800_000 });
    assert.equal(await page.textContent("#bench .error"), "");
    const rows = JSON.parse(await page.getAttribute("#ensembles", "data-result"));
    assert.deepEqual(rows.map(([backend]) => backend.split(" ")[0]), ["WebGPU", "CPU"]);
    for (const [backend, b] of rows) {
      console.log(`${backend}: K = ${b.k}: ensemble ${b.ensemble_model_steps_per_s.toFixed(2)}, one by one ${b.singles_model_steps_per_s.toFixed(2)} model·steps/s, ratio ${b.ratio.toFixed(2)}`);
      assert.equal(b.k, 4);
      assert.ok(b.ensemble_model_steps_per_s > 0 && b.singles_model_steps_per_s > 0 && b.ratio > 0, JSON.stringify(b));
    }
    await screenshot(page, "bench-ensemble");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a GPU lost mid-run hands the run to the CPU and keeps its progress", { timeout: 900_000 }, async () => {
  const { page, errors, close } = await open("about:blank", { webgpu: true, serviceWorkers: "block" });
  try {
    // Keep a handle on each worker's GPU device, to lose it on purpose.
    await beforeWorkers(page, () => {
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (...args) {
        const device = await request.apply(this, args);
        (self.__devices ??= []).push(device);
        return device;
      };
    });
    await page.goto(`${server.url}?size=small&steps=12&backend=webgpu`);
    await page.selectOption(`[data-cell="2"] select.speed`, "1");
    await page.click(`[data-cell="2"] button.play`);
    await page.waitForSelector("#device[data-gpu=true]", { timeout: 600_000 });
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-cell="2"] .curves').dataset.snapshots || "[]").length >= 3, null, { timeout: 600_000 });
    const lost = await Promise.all(page.workers().map((w) => w.evaluate(() => (self.__devices ?? []).map((d) => d.destroy()).length)));
    assert.ok(lost.reduce((a, b) => a + b, 0) >= 1, `GPU devices lost in the workers: ${lost}`);
    await page.waitForSelector(`[data-cell="2"] .status[data-state=done]`, { timeout: 600_000 });
    const note = await page.textContent(`[data-cell="2"] .device-note`);
    assert.match(note, /Moved to the CPU at step [1-9]/);
    assert.match(await page.textContent("#device"), /CPU/);
    const s = JSON.parse(await page.getAttribute(`[data-cell="2"] .curves`, "data-snapshots"));
    assert.deepEqual(s.map((x) => x.step), [...Array(13).keys()], "every step once, none lost, none repeated");
    await screenshot(page, "notebook-gpu-lost");
    console.log(`after the loss: ${note}`);
    assert.deepEqual(errors.filter((e) => !/WebGPU|GPU|device/i.test(e)), []);
  } finally {
    await close();
  }
});

test("Run all trains both experiments on WebGPU; the page stays responsive while they train", { timeout: 1_200_000 }, async () => {
  // SwiftShader's pace: a few steps of the small default notebook, enough to see every part work.
  const steps = 8;
  const { page, errors, close } = await open(`${server.url}?size=small&steps=${steps}`, { webgpu: true });
  try {
    await page.waitForSelector(`[data-cell="2"] .status[data-state=idle]`);
    // Frame gaps, long tasks and long animation frames, each with the experiments' states when it was seen.
    await page.evaluate(() => {
      const r = (window.__responsiveness = { gaps: [], tasks: [], frames: [] });
      const states = () => [...document.querySelectorAll(".status")].map((s) => s.dataset.state).join("/");
      let last = performance.now();
      const frame = (t) => {
        r.gaps.push([t - last, states()]);
        last = t;
        if (!r.stopped) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      new PerformanceObserver((list) => list.getEntries().forEach((e) => r.tasks.push([e.duration, states()]))).observe({ type: "longtask" });
      new PerformanceObserver((list) => list.getEntries().forEach((e) => r.frames.push([e.duration, states()]))).observe({ type: "long-animation-frame" });
    });
    const clicked = Date.now();
    await page.click("#run-all");
    // The first trained step of either experiment: a second snapshot on its curve.
    await page.waitForFunction(() => [2, 3].some((id) => JSON.parse(document.querySelector(`[data-cell="${id}"] .curves`).dataset.snapshots || "[]").length >= 2), null, { timeout: 1_100_000 });
    const firstStep = (Date.now() - clicked) / 1000;
    await page.waitForSelector(`[data-cell="4"] .verdict, [data-cell="5"] .verdict`, { timeout: 1_100_000 });
    const firstVerdict = (Date.now() - clicked) / 1000;
    for (const analysis of [4, 5]) await page.waitForSelector(`[data-cell="${analysis}"] .verdict`, { timeout: 1_100_000 });
    console.log(`WebGPU from Run all: first step after ${firstStep.toFixed(1)} s, first verdict after ${firstVerdict.toFixed(1)} s (${steps} steps)`);
    const r = await page.evaluate(() => ((window.__responsiveness.stopped = true), window.__responsiveness));
    assert.match(await page.textContent("#device"), /WebGPU/);
    for (const id of [2, 3]) {
      const s = JSON.parse(await page.getAttribute(`[data-cell="${id}"] .curves`, "data-snapshots"));
      assert.equal(s.at(-1).step, steps);
      assert.equal(await page.textContent(`[data-cell="${id}"] .device-note`), "", "no fallback to the CPU");
    }
    for (const id of [4, 5]) assert.match(await page.getAttribute(`[data-cell="${id}"] .verdict`, "data-algorithm"), /./);
    const inked = await page.$$eval("canvas.chart", (canvases) => canvases.map((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
      return n;
    }));
    // Per experiment its curves and progress measures, per analysis its two charts.
    assert.equal(inked.length, 8);
    for (const n of inked) assert.ok(n > 2000, `${n} inked pixels`);
    await screenshot(page, "notebook-webgpu");
    assert.deepEqual(errors, []);
    // WebGPU lives in the workers: the device's start, the self-check and burn's kernel
    // compilation (cubecl's JIT, seconds on SwiftShader) happen there, so the page's thread
    // stays free from the first step, "preparing the GPU" included.
    const preparing = (states) => states.includes("preparing");
    const worst = (list, during) => Math.max(0, ...list.filter(([, s]) => during(s)).map(([ms]) => ms));
    const tasks = (during) => r.tasks.filter(([, s]) => during(s)).length;
    console.log(`WebGPU: while preparing, longest gap between frames ${worst(r.gaps, preparing).toFixed(0)} ms, longest task ${worst(r.tasks, preparing).toFixed(0)} ms (${tasks(preparing)} over 50 ms); afterwards ${worst(r.gaps, (s) => !preparing(s)).toFixed(0)} ms and ${worst(r.tasks, (s) => !preparing(s)).toFixed(0)} ms (${tasks((s) => !preparing(s))}); longest animation frame ${worst(r.frames, () => true).toFixed(0)} ms`);
    // SwiftShader's "GPU" is the same two cores the page runs on, inside Chromium's GPU process,
    // which also composites the page: while it runs a long piece of GPU work, no frame is drawn
    // though the page's thread is idle (seen once: a 3.8 s gap with no task over 50 ms). The
    // page's own freezes are its long tasks and long animation frames; those fail the test at
    // any time, and the frame gaps are logged.
    const always = () => true;
    assert.ok(worst(r.tasks, always) < FREEZE_MS, "a task froze the page");
    assert.ok(worst(r.frames, always) < FREEZE_MS, "a frame of the page's froze it");
  } finally {
    await close();
  }
});

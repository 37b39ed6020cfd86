// The sweep cell in a real browser (headless Chromium): a small grid trains in CPU workers,
// or as one ensemble on WebGPU (SwiftShader), each model's point appears on the phase diagram
// as it is measured, pause and resume answer, a clicked point reopens its run and retrains it
// to the same numbers, the results download as CSV, a sweep too big is refused before it
// starts, a lesson's locks leave only the α grid free, and the page stays responsive (long
// frames attributed to the scripts that ran in them). Needs `trunk build --release` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { readFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { deflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

// A page that stops answering for this long is frozen, whatever the machine's load.
const FREEZE_MS = 500;
const SWEEP = 1, REOPENED = 2, REOPENED_ANALYSIS = 3;
const cell = (id) => `[data-cell="${id}"]`;

/** A notebook of one sweep cell: a tiny base run and a grid over α and seeds. */
function sweepNotebook({ alphas, seeds, steps, locked = [] }) {
  const base = {
    task: { operation: "add", p: 11 },
    model: { kind: "transformer", d_model: 16, n_heads: 4, n_layers: 1, activation: "ReLU", attention_rate: 1.0, diff_vocab: false, eqn_sign: false },
    train: { steps, lr: 0.003, weight_decay: 1.0, beta1: 0.9, beta2: 0.98, epsilon: 1e-8, warmup_steps: 10, train_fraction: 0.8, seed: 0, eval_every: 20 },
  };
  const notebook = { version: 1, title: "A small sweep", cells: [{ id: SWEEP, kind: "sweep", name: "Small sweep", sweep: { base, grid: { attention_rate: alphas, seed: seeds } } }], locked };
  return `${server.url}#v1.${deflateSync(Buffer.from(JSON.stringify(notebook))).toString("base64url")}`;
}

const results = async (page) => {
  const [header, ...lines] = (await page.getAttribute(`${cell(SWEEP)} .phase`, "data-results")).trim().split("\n");
  const names = header.split(",");
  return lines.filter(Boolean).map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], Number.isNaN(Number(v)) ? v : Number(v)])));
};
const marks = async (page) => JSON.parse(await page.getAttribute(`${cell(SWEEP)} .phase`, "data-marks"));

/** Records from now on: frame gaps, long animation frames with the scripts that ran in them,
 * and when the number of measured models changed. */
async function watch(page) {
  await page.evaluate(() => {
    const r = (window.__watch = { gaps: [], frames: [], counts: [] });
    let last = performance.now();
    const frame = (t) => {
      r.gaps.push(t - last);
      last = t;
      if (!r.stopped) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (r.stopped) continue;
        const scripts = e.scripts.map((s) => `${s.invokerType} ${s.invoker || "?"} ${s.sourceFunctionName || ""} ${Math.round(s.duration)} ms`.trim());
        r.frames.push({ ms: Math.round(e.duration), blocking: Math.round(e.blockingDuration), scripts });
      }
    }).observe({ type: "long-animation-frame" });
    const phase = document.querySelector('[data-cell="1"] .phase');
    const count = () => (phase.dataset.results || "").trim().split("\n").length - 1;
    new MutationObserver(() => {
      const n = count();
      if (r.counts.at(-1)?.[0] !== n) r.counts.push([n, performance.now()]);
    }).observe(phase, { attributes: true, attributeFilter: ["data-results"] });
  });
}

async function stopWatching(page) {
  const r = await page.evaluate(() => ((window.__watch.stopped = true), window.__watch));
  const longest = Math.max(0, ...r.gaps);
  const frames = r.frames.sort((a, b) => b.ms - a.ms);
  console.log(`frames: ${r.gaps.length}, longest gap ${longest.toFixed(0)} ms; long animation frames: ${frames.length}, longest ${frames[0]?.ms ?? 0} ms`);
  console.log(`the longest frames and what ran in them: ${JSON.stringify(frames.slice(0, 8))}`);
  return { ...r, longest, frames };
}

async function downloadOf(page, click) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(click)]);
  const path = join(await mkdtemp(join(tmpdir(), "grokscope-download-")), download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), text: (await readFile(path)).toString() };
}

/** Points at model `index` on the phase diagram (where the chart drew it, in the canvas's
 * pixels, scaled to its size on the page), reads the readout, and clicks it. */
async function clickPoint(page, index) {
  const canvas = page.locator(`${cell(SWEEP)} canvas.chart`);
  await canvas.scrollIntoViewIfNeeded();
  // Measured once the scroll has settled.
  await page.waitForTimeout(300);
  const [mx, my] = (await marks(page))[index];
  const scale = (await canvas.boundingBox()).width / (await canvas.evaluate((c) => c.width));
  const box = await canvas.boundingBox();
  const [x, y] = [mx * scale, my * scale];
  await page.mouse.move(box.x + x - 4, box.y + y);
  await page.mouse.move(box.x + x, box.y + y);
  await page.waitForFunction(() => /click to open this run/.test(document.querySelector('[data-cell="1"] .phase .readout').textContent));
  const readout = await page.textContent(`${cell(SWEEP)} .phase .readout`);
  await page.mouse.click(box.x + x, box.y + y);
  return readout;
}

test("a sweep trains in CPU workers, points appear live, a clicked point retrains to the same numbers", { timeout: 900_000 }, async () => {
  const { page, errors, close } = await open(sweepNotebook({ alphas: [0, 0.5, 1], seeds: [0, 1], steps: 300 }));
  try {
    await page.waitForSelector(`${cell(SWEEP)} .status[data-state=idle]`);
    assert.match(await page.textContent(`${cell(SWEEP)} .plan .models`), /^6 models of 1 shape$/);
    // The time it would take here, measured before it starts.
    await page.click(`${cell(SWEEP)} button.estimate`);
    const estimate = Number(await page.getAttribute(`${cell(SWEEP)} .estimate[data-seconds]`, "data-seconds", { timeout: 120_000 }));
    assert.ok(estimate > 0 && estimate < 3600, `estimate ${estimate} s`);
    // The paper's points alone are drawn before any model of ours.
    await watch(page);
    const started = Date.now();
    await page.click(`${cell(SWEEP)} button.play`);
    await page.waitForFunction(() => (document.querySelector('[data-cell="1"] .phase').dataset.results || "").trim().split("\n").length >= 3, null, { timeout: 300_000 });
    // Pause: what is under way finishes its slice, or its analysis (one model per worker at
    // most, however long a busy machine takes); then nothing more.
    await page.click(`${cell(SWEEP)} button.play`);
    await page.waitForSelector(`${cell(SWEEP)} .status[data-state=paused]`, { timeout: 5_000 });
    for (let last = -1, settled = Date.now() + 60_000; Date.now() < settled; ) {
      const n = (await results(page)).length;
      if (n === last) break;
      last = n;
      await page.waitForTimeout(2000);
    }
    const paused = (await results(page)).length;
    await page.waitForTimeout(1500);
    assert.equal((await results(page)).length, paused, "a paused sweep measures nothing more");
    if (paused < 6) {
      await page.click(`${cell(SWEEP)} button.play`);
      await page.waitForSelector(`${cell(SWEEP)} .status[data-state=running]`, { timeout: 5_000 });
    }
    await page.waitForSelector(`${cell(SWEEP)} .status[data-state=done]`, { timeout: 600_000 });
    const seconds = (Date.now() - started) / 1000;
    const watched = await stopWatching(page);
    const rows = await results(page);
    console.log(`6 models in ${seconds.toFixed(1)} s (estimated ${estimate.toFixed(1)} s): ${JSON.stringify(rows.map((r) => [r.attn_coeff, r.seed, r.gradient_sim.toFixed(3), r.distance_irrelevance.toFixed(3), r.validation_accuracy, r.verdict]))}`);
    assert.deepEqual(rows.map((r) => `${r.attn_coeff}/${r.seed}`).sort(), ["0.5/0", "0.5/1", "0/0", "0/1", "1/0", "1/1"]);
    for (const r of rows) {
      assert.equal(r.steps, 300);
      assert.ok(r.gradient_sim >= -1 && r.gradient_sim <= 1 && r.circularity >= 0, JSON.stringify(r));
      assert.match(r.verdict, /Clock|Pizza|mixed|unclassified/);
    }
    // Points appeared as models were measured, not all at the end.
    assert.ok(new Set(watched.counts.map(([n]) => n)).size >= 3, `counts seen: ${JSON.stringify(watched.counts)}`);
    assert.equal((await marks(page)).length, 6, "a point for every model, those outside the paper's circularity filter too");
    assert.match(await page.textContent(`${cell(SWEEP)} .status`), /done · 6 of 6 models/);
    assert.match(await page.textContent("#device"), /CPU/);
    assert.equal(await page.textContent(`${cell(SWEEP)} .device-note`), "", "every model trained in a worker");
    // No training or analysis on the page's thread: it never froze, and the long frames are
    // logged with the scripts that ran in them.
    assert.ok(watched.longest < FREEZE_MS, `the page froze for ${watched.longest} ms`);
    assert.ok((watched.frames[0]?.ms ?? 0) < FREEZE_MS, `a frame of ${watched.frames[0]?.ms} ms: ${JSON.stringify(watched.frames[0])}`);
    await screenshot(page, "sweep-cpu");

    // The results as CSV: what the page holds, in the published column names.
    const csv = await downloadOf(page, `${cell(SWEEP)} button.results-csv`);
    assert.equal(csv.name, "small-sweep-results.csv");
    assert.equal(csv.text.trim(), (await page.getAttribute(`${cell(SWEEP)} .phase`, "data-results")).trim());
    assert.match(csv.text.split("\n")[0], /^run_id,attn_coeff,d_model,n_heads,n_layers,p,seed,steps/);

    // Every chart draws; the paper's layer can be hidden.
    for (const chart of ["phase_di", "phase_width_gs", "phase_width_di", "phase_mean_gs", "phase_gs"]) {
      await page.selectOption(`${cell(SWEEP)} select.phase-chart`, chart);
      await page.waitForTimeout(100);
    }
    await page.uncheck(`${cell(SWEEP)} input.paper`);
    await page.check(`${cell(SWEEP)} input.paper`);

    // Point at a model, then click it: its run opens as an experiment and retrains from its seed.
    const index = rows.findIndex((r) => r.attn_coeff === 1 && r.seed === 1);
    const readout = await clickPoint(page, index);
    assert.match(readout, /α = 1, d_model 16, seed 1/);
    await page.waitForSelector(`${cell(REOPENED)} .status[data-state=done]`, { timeout: 300_000 });
    await page.waitForSelector(`${cell(REOPENED_ANALYSIS)} .verdict`, { timeout: 300_000 });
    const curve = JSON.parse(await page.getAttribute(`${cell(REOPENED)} .curves`, "data-snapshots"));
    const row = rows[index];
    // The CPU is deterministic: the same run gives the same numbers, to the last bit.
    assert.equal(curve.at(-1).step, 300);
    assert.equal(curve.at(-1).test_acc, row.validation_accuracy);
    assert.equal(curve.at(-1).train_acc, row.training_accuracy);
    assert.equal(await page.textContent(`${cell(REOPENED_ANALYSIS)} .gs`), row.gradient_sim.toFixed(4));
    assert.match(await page.inputValue(`${cell(REOPENED)} .cell-title`), /From the sweep: α = 1, d_model = 16/);
    await screenshot(page, "sweep-reopened");

    // A sweep too big for a page is refused before it starts, with why; nothing is lost.
    await page.fill(`${cell(SWEEP)} input[name=grid_attention_rate]`, "0:1:2000");
    await page.press(`${cell(SWEEP)} input[name=grid_attention_rate]`, "Tab");
    assert.match(await page.textContent(`${cell(SWEEP)} .grid-error`), /4000 models, more than the 1000/);
    assert.equal((await results(page)).length, 6, "the measured models are kept");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a lesson's sweep lets the reader change only the α grid", { timeout: 120_000 }, async () => {
  const all = ["cells", "operation", "model", "activation", "p", "train_fraction", "d_model", "heads", "lr", "weight_decay", "steps", "seed"];
  const { page, errors, close } = await open(sweepNotebook({ alphas: [0, 1], seeds: [0], steps: 50, locked: all }));
  try {
    await page.waitForSelector("#lesson");
    assert.equal(await page.isDisabled(`${cell(SWEEP)} input[name=grid_attention_rate]`), false);
    for (const name of ["grid_d_model", "grid_seed", "p", "lr", "steps"]) assert.equal(await page.isDisabled(`${cell(SWEEP)} input[name=${name}]`), true, name);
    await page.fill(`${cell(SWEEP)} input[name=grid_attention_rate]`, "0:1:5");
    await page.press(`${cell(SWEEP)} input[name=grid_attention_rate]`, "Tab");
    await page.waitForFunction(() => /^5 models/.test(document.querySelector('[data-cell="1"] .plan .models').textContent));
    assert.match(await page.textContent(`${cell(SWEEP)} summary`), /α 0, 0.25, 0.5, 0.75, 1/);
    await screenshot(page, "sweep-lesson");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("on WebGPU a sweep trains as one ensemble; a clicked point retrains within the self-check's tolerance", { timeout: 1_200_000 }, async () => {
  // SwiftShader's pace: a few steps of two models.
  const steps = 4;
  const { page, errors, close } = await open(sweepNotebook({ alphas: [0, 1], seeds: [0], steps }), { webgpu: true });
  try {
    await page.waitForSelector(`${cell(SWEEP)} .status[data-state=idle]`);
    await watch(page);
    await page.click(`${cell(SWEEP)} button.play`);
    await page.waitForSelector("#device[data-gpu=true]", { timeout: 600_000 });
    await page.waitForSelector(`${cell(SWEEP)} .status[data-state=done]`, { timeout: 900_000 });
    const watched = await stopWatching(page);
    const rows = await results(page);
    console.log(`WebGPU sweep: ${JSON.stringify(rows.map((r) => [r.attn_coeff, r.gradient_sim, r.validation_accuracy]))}`);
    assert.equal(rows.length, 2);
    assert.equal(await page.textContent(`${cell(SWEEP)} .device-note`), "", "no fallback to the CPU");
    assert.match(await page.textContent("#device"), /WebGPU/);
    // The ensemble trains in a worker, kernels compiled there: the page never waits for it. On
    // SwiftShader the frame gaps are logged, not asserted: Chromium's GPU process composites the
    // page and runs the emulated GPU's work too (webgpu.test.mjs says more).
    assert.ok((watched.frames[0]?.ms ?? 0) < FREEZE_MS, `a frame of ${watched.frames[0]?.ms} ms: ${JSON.stringify(watched.frames[0])}`);
    await screenshot(page, "sweep-webgpu");
    const index = rows.findIndex((r) => r.attn_coeff === 1);
    await clickPoint(page, index);
    await page.waitForSelector(`${cell(REOPENED_ANALYSIS)} .verdict`, { timeout: 900_000 });
    const curve = JSON.parse(await page.getAttribute(`${cell(REOPENED)} .curves`, "data-snapshots"));
    assert.equal(curve.at(-1).step, steps);
    const gs = Number(await page.textContent(`${cell(REOPENED_ANALYSIS)} .gs`));
    console.log(`reopened on WebGPU: GS ${gs} (sweep ${rows[index].gradient_sim}), test accuracy ${curve.at(-1).test_acc} (sweep ${rows[index].validation_accuracy})`);
    assert.ok(Math.abs(gs - rows[index].gradient_sim) < 2e-3, `GS ${gs} against ${rows[index].gradient_sim}`);
    assert.deepEqual(errors.filter((e) => !/WebGPU|GPU|device/i.test(e)), []);
  } finally {
    await close();
  }
});

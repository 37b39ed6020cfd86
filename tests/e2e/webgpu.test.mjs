// WebGPU in headless Chromium (--enable-unsafe-webgpu: Dawn on SwiftShader, a CPU
// implementation): the correctness gate (the paper's model, small, trains on WebGPU with the
// CPU backend's loss curve from the same initial weights), the benchmark page's figures, and
// the fall-back to the CPU when the GPU device is lost in the middle of a run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./serve.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

// SwiftShader trains this model at a few steps per second at best; 50 steps with a read after
// each fit the test command's budget.
const GATE_STEPS = 50;
const GATE_TOLERANCE = 1e-3;

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

test("a GPU lost mid-run hands the run to the CPU and keeps its progress", { timeout: 900_000 }, async () => {
  const { page, errors, close } = await open("about:blank", { webgpu: true });
  try {
    // Keep a handle on the page's GPU device, to lose it on purpose.
    await page.addInitScript(() => {
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (...args) {
        const device = await request.apply(this, args);
        (window.__devices ??= []).push(device);
        return device;
      };
    });
    await page.goto(`${server.url}?size=small&steps=12&backend=webgpu`);
    await page.selectOption(`[data-cell="2"] select.speed`, "1");
    await page.click(`[data-cell="2"] button.play`);
    await page.waitForSelector("#device[data-gpu=true]", { timeout: 600_000 });
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-cell="2"] .curves').dataset.snapshots || "[]").length >= 3, null, { timeout: 600_000 });
    await page.evaluate(() => window.__devices.forEach((d) => d.destroy()));
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

// Where the browser's CPU worker spends a training step: the benchmark page trained without
// WebGPU while Chromium's trace samples every thread (V8's CPU profiler), then the self time of
// each function summed over the page and its workers, the largest first (docs/performance.md).
//
//   node tests/e2e/cpu-profile.mjs DIST_DIR [P] [D_MODEL] [STEPS]   (defaults: 59 128 12)
//
// Function names come from the worker's name section, which the shipped build drops (wasm-opt):
// profile a build whose worker is cargo's output through wasm-bindgen alone, e.g.
//   cp -r dist /tmp/dist-named && wasm-bindgen --target no-modules --no-typescript \
//     --out-dir /tmp/dist-named --out-name grokscope-worker \
//     "$CARGO_TARGET_DIR"/wasm32-unknown-unknown/web/grokscope-worker.wasm
import { serve } from "../../scripts/static-server.mjs";
import { open } from "./browser.mjs";

const [dist, p = "59", dModel = "128", steps = "12"] = process.argv.slice(2);
if (!dist) {
  console.error("usage: node tests/e2e/cpu-profile.mjs DIST_DIR [P] [D_MODEL] [STEPS]");
  process.exit(2);
}
const server = await serve(dist);
const { page, errors, close } = await open("about:blank", { serviceWorkers: "block" });
const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on("Tracing.dataCollected", ({ value }) => events.push(...value));
const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
await cdp.send("Tracing.start", { transferMode: "ReportEvents", traceConfig: { includedCategories: ["disabled-by-default-v8.cpu_profiler"] } });
try {
  await page.goto(`${server.url}?bench&backend=cpu&p=${p}&d_model=${dModel}&steps=${steps}&every=${steps}`);
  await page.waitForSelector("#bench[data-state=done]", { timeout: 3_600_000 });
  const failed = (await page.textContent("#bench .error")).trim();
  if (failed) throw new Error(failed);
  const [cpu] = JSON.parse(await page.getAttribute("#bench", "data-result"));
  console.log(`${cpu.backend}: ${(1e3 / cpu.steps_per_s).toFixed(1)} ms a step over ${steps} steps; console errors: ${errors.length}`);
} finally {
  await cdp.send("Tracing.end");
  await complete;
  await close();
  server.close();
}

// A profile arrives in chunks (`ProfileChunk`, one profile per thread by `id`): the call tree's
// new nodes, and samples (a node each) with the time since the previous sample.
const chunks = events.filter((e) => e.name === "ProfileChunk" && e.args?.data?.cpuProfile);
const thread = (e) => `${e.pid}:${e.id}`;
const names = new Map();
for (const e of chunks) {
  for (const node of e.args.data.cpuProfile.nodes ?? []) names.set(`${thread(e)}:${node.id}`, node.callFrame.functionName || node.callFrame.url || "(anonymous)");
}
const selfTime = new Map();
for (const e of chunks) {
  const deltas = e.args.data.timeDeltas ?? [];
  (e.args.data.cpuProfile.samples ?? []).forEach((node, i) => {
    const name = names.get(`${thread(e)}:${node}`);
    if (name !== "(idle)" && name !== "(program)") selfTime.set(name, (selfTime.get(name) ?? 0) + (deltas[i] ?? 0));
  });
}
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
console.log(`sampled ${(total / 1e3).toFixed(0)} ms of work; self time by function:`);
for (const [name, us] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)} % ${(us / 1e3).toFixed(0).padStart(6)} ms  ${name.replace(/::h[0-9a-f]{16}$/, "")}`);
}

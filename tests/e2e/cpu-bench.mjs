// The benchmark page's CPU figure, the browser's CPU worker training as the notebook trains (burn
// on WebAssembly, no WebGPU), in headless Chromium: one JSON line, which `scripts/bench --browser`
// sets against the native step in the same run (docs/performance.md).
//
//   node tests/e2e/cpu-bench.mjs DIST_DIR [P] [D_MODEL] [STEPS] [EVERY]   (defaults: 59 128 12 4)
import { serve } from "../../scripts/static-server.mjs";
import { open } from "./browser.mjs";

const [dist, p = "59", dModel = "128", steps = "12", every = "4"] = process.argv.slice(2);
if (!dist) {
  console.error("usage: node tests/e2e/cpu-bench.mjs DIST_DIR [P] [D_MODEL] [STEPS] [EVERY]");
  process.exit(2);
}
const server = await serve(dist);
const { page, errors, close } = await open(`${server.url}?bench&backend=cpu&p=${p}&d_model=${dModel}&steps=${steps}&every=${every}`);
try {
  await page.waitForSelector("#bench[data-state=done]", { timeout: 3_600_000 });
  const failed = (await page.textContent("#bench .error")).trim();
  if (failed) throw new Error(failed);
  const [cpu] = JSON.parse(await page.getAttribute("#bench", "data-result"));
  if (errors.length) throw new Error(`console errors: ${errors.join("; ")}`);
  console.log(JSON.stringify({ backend: cpu.backend, ms_per_step: 1e3 / cpu.steps_per_s, first_step_s: cpu.first_step_s }));
} finally {
  await close();
  server.close();
}

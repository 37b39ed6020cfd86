// Times the default notebook as a reader meets it: how long sizing it for the device takes from
// opening the page, what size it chose, and the first and both verdicts after Run all, on the CPU
// backend or (with --webgpu) on WebGPU, SwiftShader here. A measurement for the docs and the
// closing notes; the CPU figure is also asserted by notebook.test.mjs.
//
//   node tests/e2e/first-verdict.mjs DIST_DIR [--webgpu]
import { serve } from "../../scripts/static-server.mjs";
import { open } from "./browser.mjs";

const [dist = "dist", flag] = process.argv.slice(2);
const webgpu = flag === "--webgpu";
const server = await serve(dist);
const opened = Date.now();
const { page, errors, close } = await open(server.url, { webgpu });
const seconds = (from) => ((Date.now() - from) / 1e3).toFixed(1);
try {
  await page.waitForSelector("#fit[data-state=fitted], #fit[data-state=failed]", { timeout: 3_600_000 });
  console.log(`sized after ${seconds(opened)} s: ${await page.textContent("#fit")}`);
  console.log(`device: ${(await page.textContent("#device")).replace(/\s+/g, " ")}`);
  const clicked = Date.now();
  await page.click("#run-all");
  await page.waitForSelector('[data-cell="4"] .verdict, [data-cell="5"] .verdict', { timeout: 3_600_000 });
  const first = seconds(clicked);
  await page.waitForSelector('[data-cell="4"] .verdict', { timeout: 3_600_000 });
  await page.waitForSelector('[data-cell="5"] .verdict', { timeout: 3_600_000 });
  console.log(`${webgpu ? "WebGPU" : "CPU"}: first verdict ${first} s and both ${seconds(clicked)} s after Run all (${seconds(opened)} s after opening)`);
  for (const id of [4, 5]) console.log(`cell ${id}: ${await page.getAttribute(`[data-cell="${id}"] .verdict`, "data-reading")}`);
  console.log(`console errors: ${errors.length}; first: ${errors[0] ?? "-"}`);
} finally {
  await close();
  server.close();
}

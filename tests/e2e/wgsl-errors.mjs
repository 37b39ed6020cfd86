// Lists the WGSL shader modules a page creates on WebGPU that the browser rejects, with the
// compiler's messages and the offending source lines. A diagnostic, not a test (docs/webgpu.md):
//
//   node tests/e2e/wgsl-errors.mjs DIST_DIR 'QUERY'   e.g. /tmp/dist-autotune '?bench&backend=webgpu&p=23&d_model=32&steps=4&every=1'
//
// It wraps GPUDevice.createShaderModule in every worker before the worker's code runs (WebGPU
// lives in the notebook's workers), asks each module for its compilation info and records every
// error; uncaptured device errors are recorded too.
import { writeFile } from "node:fs/promises";
import { serve } from "../../scripts/static-server.mjs";
import { open, beforeWorkers } from "./browser.mjs";

const [dist, query = "", seconds = "240"] = process.argv.slice(2);
const server = await serve(dist);
const { page, errors, close } = await open("about:blank", { webgpu: true, serviceWorkers: "block" });
await beforeWorkers(page, () => {
  self.__wgsl = { modules: 0, rejected: [], uncaptured: [], deviceFeatures: [] };
  const create = GPUDevice.prototype.createShaderModule;
  GPUDevice.prototype.createShaderModule = function (descriptor) {
    const module = create.call(this, descriptor);
    self.__wgsl.modules++;
    if (!this.__watched) {
      this.__watched = true;
      self.__wgsl.deviceFeatures = [...this.features].sort();
      this.addEventListener("uncapturederror", (e) => self.__wgsl.uncaptured.push(String(e.error.message).slice(0, 2000)));
    }
    module.getCompilationInfo().then((info) => {
      const errors = info.messages.filter((m) => m.type === "error");
      if (errors.length === 0) return;
      const lines = descriptor.code.split("\n");
      self.__wgsl.rejected.push({
        label: descriptor.label ?? "",
        messages: errors.map((m) => ({ line: m.lineNum, message: m.message, source: lines[m.lineNum - 1] ?? "" })),
        code: descriptor.code,
      });
    });
    return module;
  };
});
await page.goto(server.url + query);
await page.waitForTimeout(Number(seconds) * 1000);
// Every worker's findings, together.
const reports = await Promise.all(page.workers().map((w) => w.evaluate(() => self.__wgsl)));
const report = { modules: 0, rejected: [], uncaptured: [], deviceFeatures: [] };
for (const r of reports.filter(Boolean)) {
  report.modules += r.modules;
  report.rejected.push(...r.rejected);
  report.uncaptured.push(...r.uncaptured);
  if (r.deviceFeatures.length) report.deviceFeatures = r.deviceFeatures;
}
await writeFile("/tmp/wgsl-errors.json", JSON.stringify(report, null, 1));
console.log(`the device's features: ${report.deviceFeatures.join(", ") || "(none)"}`);
console.log(`${report.modules} shader modules, ${report.rejected.length} rejected, ${report.uncaptured.length} uncaptured errors (full report: /tmp/wgsl-errors.json)`);
const seen = new Set();
for (const r of report.rejected) {
  for (const m of r.messages) {
    const key = m.message;
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`\n${r.label}\n  line ${m.line}: ${m.message}\n  > ${m.source.trim()}`);
  }
}
console.log(`\nconsole errors: ${errors.length}; first: ${errors[0] ?? "-"}`);
await close();
server.close();

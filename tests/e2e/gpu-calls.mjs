// Counts the WebGPU calls the notebook's workers make per training step: compute dispatches and
// passes, queue submits, buffer creations, uploads (writeBuffer) and read-backs (mapAsync for
// reading), with their bytes. The API is wrapped in every worker before its code runs
// (`beforeWorkers`), and each reply a worker posts (Advanced, Observed, ...) is stamped with the
// counts so far and sent to the page on a BroadcastChannel (the page ends its workers when it is
// done with them), so an update's calls are the difference between two replies.
//
// As a diagnostic (docs/performance.md):
//   node tests/e2e/gpu-calls.mjs DIST_DIR 'QUERY' DONE_SELECTOR [CLICK_SELECTOR]
//   e.g. '?bench&backend=webgpu&p=23&d_model=32&steps=12&every=1' '#bench[data-state=done]'
import { beforeWorkers } from "./browser.mjs";

const CHANNEL = "grokscope-gpu-calls";

/** Wraps the WebGPU API in every worker the page starts from now on. */
export async function countGpuCalls(page) {
  await page.addInitScript((channel) => {
    window.__gpuCalls = {};
    // Kept on the window: a channel nothing refers to may be collected with its listener.
    window.__gpuCallsChannel = new BroadcastChannel(channel);
    window.__gpuCallsChannel.onmessage = ({ data }) => (window.__gpuCalls[data.worker] ??= []).push(data);
  }, CHANNEL);
  await beforeWorkers(page, `() => {
    const channel = new BroadcastChannel(${JSON.stringify(CHANNEL)});
    const worker = crypto.randomUUID();
    const n = { dispatches: 0, passes: 0, submits: 0, buffers: 0, buffer_bytes: 0, writes: 0, write_bytes: 0, reads: 0, read_bytes: 0 };
    const wrap = (proto, name, count) => {
      const original = proto[name];
      proto[name] = function (...args) {
        count.call(this, ...args);
        return original.apply(this, args);
      };
    };
    wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroups", () => n.dispatches++);
    wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroupsIndirect", () => n.dispatches++);
    wrap(GPUCommandEncoder.prototype, "beginComputePass", () => n.passes++);
    wrap(GPUQueue.prototype, "submit", () => n.submits++);
    wrap(GPUDevice.prototype, "createBuffer", (d) => ((n.buffers += 1), (n.buffer_bytes += Number(d.size))));
    wrap(GPUQueue.prototype, "writeBuffer", (buffer, offset, data, dataOffset = 0, size) => {
      n.writes++;
      n.write_bytes += size !== undefined ? Number(size) * (data.BYTES_PER_ELEMENT ?? 1) : data.byteLength - Number(dataOffset) * (data.BYTES_PER_ELEMENT ?? 1);
    });
    wrap(GPUBuffer.prototype, "mapAsync", function (mode, offset = 0, size) {
      if (mode & GPUMapMode.READ) {
        n.reads++;
        n.read_bytes += size !== undefined ? Number(size) : this.size - Number(offset);
      }
    });
    // A [Global] interface has its operations on the global object itself, not its prototype.
    wrap(self, "postMessage", (data) => {
      const reply = typeof data === "string" ? data : Object.keys(data ?? {})[0] ?? "?";
      channel.postMessage({ worker, reply, step: data?.Advanced?.step, counts: { ...n } });
    });
  }`);
}

/** Per worker that used WebGPU: its calls per training step over the updates after the first
 * (which compiles every kernel), an update being one `Advanced` reply to the next, and of those
 * the share made while reading the update back (from `Advanced` to the next reply: with burn's
 * lazy fusion, queued steps may only be dispatched when a read asks for them). */
export async function gpuCallsPerStep(page) {
  const logs = Object.values(await page.evaluate(() => window.__gpuCalls));
  const perWorker = [];
  for (const replies of logs) {
    if (replies.at(-1).counts.dispatches === 0) continue;
    const cycles = [];
    replies.forEach((r, i) => r.reply === "Advanced" && cycles.push(i));
    const steady = cycles.slice(1);
    if (steady.length < 2) continue;
    const [first, last] = [replies[steady[0]], replies[steady.at(-1)]];
    const steps = last.step - first.step;
    const keys = Object.keys(first.counts);
    const per = (f) => Object.fromEntries(keys.map((k) => [k, f(k)]));
    const reading = steady.slice(0, -1).map((i) => replies[i + 1]);
    perWorker.push({
      steps,
      updates: steady.length - 1,
      steps_per_update: steps / (steady.length - 1),
      per_step: per((k) => (last.counts[k] - first.counts[k]) / steps),
      per_read: per((k) => reading.reduce((sum, r, j) => sum + r.counts[k] - replies[steady[j]].counts[k], 0) / reading.length),
      until_first_update: replies[cycles[0]].counts,
    });
  }
  return perWorker;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { serve } = await import("../../scripts/static-server.mjs");
  const { open } = await import("./browser.mjs");
  const [dist, query, done, click] = process.argv.slice(2);
  const server = await serve(dist);
  const { page, errors, close } = await open("about:blank", { webgpu: true, serviceWorkers: "block" });
  await countGpuCalls(page);
  await page.goto(server.url + query);
  if (click) await page.click(click);
  await page.waitForSelector(done, { timeout: 3_600_000 });
  for (const w of await gpuCallsPerStep(page)) {
    const p = w.per_step;
    const f = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
    console.log(`a worker, ${w.steps} steps in ${w.updates} updates (${f(w.steps_per_update)} steps each), per step:`);
    console.log(`  ${f(p.dispatches)} dispatches in ${f(p.passes)} compute passes, ${f(p.submits)} submits, ${f(p.buffers)} buffers created (${f(p.buffer_bytes)} B), ${f(p.writes)} uploads (${f(p.write_bytes)} B), ${f(p.reads)} reads (${f(p.read_bytes)} B)`);
    const r = w.per_read;
    console.log(`  of them while reading an update back: ${f(r.dispatches)} dispatches, ${f(r.submits)} submits, ${f(r.buffers)} buffers, ${f(r.reads)} reads (${f(r.read_bytes)} B)`);
    console.log(`  until the first update was done: ${JSON.stringify(w.until_first_update)}`);
  }
  console.log(`console errors: ${errors.length}; first: ${errors[0] ?? "-"}`);
  await close();
  server.close();
}

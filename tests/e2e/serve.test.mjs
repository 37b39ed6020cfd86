// Hosting: `scripts/serve` on a checkout whose dist/ is built from its sources serves it in
// seconds, with no build (trunk's own server re-ran wasm-opt on both binaries at every start),
// from a plain static file server that needs no special header, and the page opens from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "./browser.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("scripts/serve restarts in seconds on a built checkout and serves dist/ as a static host would", { timeout: 120_000 }, async () => {
  const digest = execFileSync("bash", ["-c", 'source scripts/env.sh && dist_inputs'], { cwd: ROOT, env: { ...process.env, ROOT } }).toString().trim();
  const stamp = (await readFile(join(ROOT, ".dist-inputs"), "utf8").catch(() => "")).trim();
  // Otherwise scripts/serve would build, and this test wait for it.
  assert.equal(stamp, digest, "dist/ is built from these sources (scripts/test wasm builds it)");
  const started = performance.now();
  const server = spawn("scripts/serve", [], { cwd: ROOT, env: { ...process.env, PORT: "0" }, detached: true });
  try {
    let output = "";
    const url = await new Promise((resolve, reject) => {
      server.stdout.on("data", (d) => {
        output += d;
        const m = output.match(/serving dist\/ on (http:\S+)/);
        if (m) resolve(m[1]);
      });
      server.stderr.on("data", (d) => (output += d));
      server.on("exit", (code) => reject(new Error(`scripts/serve exited (${code}): ${output}`)));
    });
    const seconds = (performance.now() - started) / 1e3;
    console.log(`scripts/serve answered after ${seconds.toFixed(1)} s: ${output.trim().split("\n").at(-1)}`);
    assert.ok(seconds < 30, `served after ${seconds} s`);
    assert.match(output, /dist\/ is built from these sources/);
    const page = await fetch(url);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    const wasm = (await page.text()).match(/href="\/?([^"]+\.wasm)"/)?.[1];
    assert.ok(wasm, "the page names its wasm");
    assert.equal((await fetch(new URL(wasm, url))).headers.get("content-type"), "application/wasm");
    const { page: tab, errors, close } = await open(url);
    try {
      await tab.waitForSelector("#run-all");
      await tab.waitForSelector("#offline[data-state=ready]", { timeout: 60_000 });
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  } finally {
    process.kill(-server.pid);
  }
});

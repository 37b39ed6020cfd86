// Offline and installable (headless Chromium, CPU backend): served from a subdirectory, a page
// loaded once keeps every other file of dist/ in one cache through its service worker
// (web/sw.js), so with the server gone and the network off it reloads, trains and analyses;
// Chromium finds it installable and its manifest valid (CDP); a newer build is announced and
// serves only after the reader asks, with the older build's files gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
const CLOCK = 2, CLOCK_ANALYSIS = 4, PIZZA_ANALYSIS = 5;
const cell = (id) => `[data-cell="${id}"]`;

/** Waits until every file of the build is cached and the service worker controls the page. */
async function offlineReady(page) {
  await page.waitForSelector("#offline[data-state=ready]", { timeout: 60_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });
}

/** The service worker's caches, each with the paths it holds. */
const cached = (page) =>
  page.evaluate(async () => {
    const all = {};
    for (const name of await caches.keys()) all[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    return all;
  });

test("loaded once, the notebook reloads, trains and analyses with the server gone and the network off", { timeout: 600_000 }, async () => {
  // In a directory of the site, as a school's server would hold it.
  const server = await serve(DIST, { base: "/school/grokscope/" });
  const { page, errors, context, close } = await open(`${server.url}?size=small&steps=200`);
  try {
    await offlineReady(page);
    const files = (await readdir(DIST, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name !== "sw.js").length;
    const caches = await cached(page);
    assert.equal(Object.keys(caches).length, 1, `one cache: ${Object.keys(caches)}`);
    assert.equal(Object.values(caches)[0].length, files, "every file of dist/ but the service worker is cached");
    // Chromium's own installability check (the manifest, its icons, the service worker).
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, [], "installable");
    const { errors: manifestErrors } = await cdp.send("Page.getAppManifest");
    assert.deepEqual(manifestErrors, [], "the manifest parses");

    server.close();
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    assert.equal(await page.getAttribute("#offline", "data-state"), "ready");
    await page.click("#run-all");
    await page.waitForSelector(`${cell(CLOCK_ANALYSIS)} .verdict`, { timeout: 400_000 });
    await page.waitForSelector(`${cell(PIZZA_ANALYSIS)} .verdict`, { timeout: 400_000 });
    const last = JSON.parse(await page.getAttribute(`${cell(CLOCK)} .curves`, "data-snapshots")).at(-1);
    assert.equal(last.step, 200);
    assert.match(await page.textContent("#device"), /CPU/);
    await screenshot(page, "offline-trained");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a newer build is announced, and serves only once the reader asks; the older one's files go", { timeout: 120_000 }, async () => {
  // The same files, but the service worker of another build: a browser tells builds apart by it.
  let newer = false;
  const server = await serve(DIST, {
    edit: (path, body) => (newer && path === "/sw.js" ? Buffer.from(String(body).replace(/const BUILD = "([^"]*)"/, 'const BUILD = "$1-newer"')) : body),
  });
  const { page, errors, close } = await open(server.url);
  try {
    await offlineReady(page);
    const [before] = Object.keys(await cached(page));
    assert.equal(await page.isVisible("#update"), false, "the first build is no update");
    newer = true;
    await page.reload();
    await page.waitForSelector("#update", { timeout: 60_000 });
    // Until the reader asks, the page still runs on the build it opened with.
    assert.deepEqual(Object.keys(await cached(page)).sort(), [before, `${before}-newer`].sort());
    await screenshot(page, "offline-update");
    await Promise.all([page.waitForEvent("load"), page.click("#update-now")]);
    await offlineReady(page);
    assert.deepEqual(Object.keys(await cached(page)), [`${before}-newer`], "the older build's files are gone");
    assert.equal(await page.isVisible("#update"), false);
    assert.deepEqual(errors, []);
  } finally {
    await close();
    server.close();
  }
});

// Nothing lost on reload (headless Chromium, CPU backend): a run is kept in the browser's
// IndexedDB as it trains; a reload mid-run restores it, paused where it was kept, and Play
// resumes it with AdamW's state to the very curve of a run that never stopped. Erase local data
// says what the kept runs take and frees them; with the storage full a run trains on and says it
// is not kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

const CLOCK = 2;
// The reader's own notebook's slot, and the Clock experiment's cell in it.
const KEY = `own/${CLOCK}`;
const STEPS = 1500;
const cell = (id) => `[data-cell="${id}"]`;
const history = async (page, id) => JSON.parse(await page.getAttribute(`${cell(id)} .curves`, "data-snapshots"));

/** The run kept under `key`, read from the page's IndexedDB: its snapshots' steps and records. */
const kept = (page, key) =>
  page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const opening = indexedDB.open("grokscope", 1);
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const db = opening.result;
          const read = db.transaction("runs").objectStore("runs").get(key);
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            db.close();
            // Structs with flattened fields are stored as Maps.
            const field = (o, k) => (o instanceof Map ? o.get(k) : o[k]);
            const run = read.result;
            resolve(run ? { steps: field(run, "progress").map((e) => field(e, "step")), records: field(run, "records"), bytes: field(run, "bytes") } : null);
          };
        };
      }),
    key,
  );

async function waitFor(what, check, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("a run reloaded mid-run is restored and resumes to the curve of a run that never stopped", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small&steps=${STEPS}`);
  try {
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    await page.click(`${cell(CLOCK)} button.play`);
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=done]`, { timeout: 300_000 });
    const whole = await history(page, CLOCK);
    assert.equal(whole.at(-1).step, STEPS);

    // Again from the seed (a reset forgets what was kept), and the tab reloaded mid-run.
    await page.click(`${cell(CLOCK)} button.reset`);
    await waitFor("the reset to forget the kept run", async () => (await kept(page, KEY)) === null, 10_000);
    await page.click(`${cell(CLOCK)} button.play`);
    const before = await waitFor("a keep past step 300", async () => {
      const k = await kept(page, KEY);
      return k && k.steps.at(-1) >= 300 && k;
    }, 120_000);
    assert.equal(await page.getAttribute(`${cell(CLOCK)} .status`, "data-state"), "running", "reloaded mid-run");
    await page.reload();
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=paused]`, { timeout: 30_000 });
    const restored = await history(page, CLOCK);
    const at = restored.at(-1).step;
    console.log(`kept at step ${before.steps.at(-1)} (${before.records.length} records, ${before.bytes} bytes); restored at step ${at} of ${STEPS}`);
    assert.ok(at >= before.steps.at(-1) && at < STEPS, `restored at step ${at}`);
    assert.deepEqual(restored, whole.slice(0, restored.length), "the restored curve is the run's");
    assert.match(await page.textContent(`${cell(CLOCK)} .kept-note`), new RegExp(`Restored from this browser at step ${at}: Play goes on from there, as if it had never stopped`));
    // Trained further than its last record: the page says how many steps train again.
    const lost = (await page.textContent(`${cell(CLOCK)} .kept-note`)).match(/It had trained to step (\d+): the (\d+) steps since its last record train again/);
    if (before.steps.at(-1) > at) {
      assert.ok(lost, "the steps a reload cost are said");
      assert.equal(Number(lost[1]) - at, Number(lost[2]));
      assert.ok(Number(lost[1]) >= before.steps.at(-1));
    }
    assert.match(await page.textContent(`${cell(CLOCK)} .status`), new RegExp(`paused · step ${at} of ${STEPS}`));
    await screenshot(page, "keep-restored");
    await page.click(`${cell(CLOCK)} button.play`);
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=done]`, { timeout: 300_000 });
    assert.deepEqual(await history(page, CLOCK), whole, "resumed, the run repeats the uninterrupted one bit for bit");

    // Erasing local data says what the kept runs take, and frees them.
    page.once("dialog", async (d) => {
      assert.match(d.message(), /runs kept with their curves, recorded weights and optimizer state: 1 \([\d.]+ [KM]iB\)/);
      await d.accept();
    });
    await page.click("#erase");
    await page.waitForSelector("#erased:not(:empty)");
    assert.match(await page.textContent("#erased"), /and 1 kept run \([\d.]+ [KM]iB freed\)/);
    assert.equal(await kept(page, KEY), null);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("with the browser's storage full a run trains on, says it is not kept, and the notebook stays", { timeout: 300_000 }, async () => {
  const { page, errors, context, close } = await open(`${server.url}?size=small&steps=200`);
  try {
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: new URL(server.url).origin, quotaSize: 1 });
    await page.click(`${cell(CLOCK)} button.play`);
    await page.waitForSelector(`${cell(CLOCK)} .kept-note:has-text("Not kept in this browser")`, { timeout: 60_000 });
    assert.match(await page.textContent(`${cell(CLOCK)} .kept-note`), /storage for this page is full \(Erase local data frees what grokscope keeps\)\. Training goes on/);
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=done]`, { timeout: 200_000 });
    assert.equal((await history(page, CLOCK)).at(-1).step, 200);
    await screenshot(page, "keep-storage-full");
    assert.ok(await page.evaluate(() => localStorage.getItem("grokscope:notebook:own")), "the notebook is still saved");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

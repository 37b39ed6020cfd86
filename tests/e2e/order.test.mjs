// Notebooks whose cells come in any order open, train, analyse and scrub without a console
// error: an analysis above its experiment (moved there with ↑ and reloaded, or opened so from a
// link), two analyses of one experiment, an analysis whose experiment is gone. A session's
// signals belong to the page, not to whichever cell first asked for them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { deflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

// The default notebook's cells: text, experiments α = 1 and α = 0, an analysis of each, text.
const CLOCK = 2, PIZZA = 3, CLOCK_ANALYSIS = 4, PIZZA_ANALYSIS = 5;
const STEPS = 40;
const cell = (id) => `[data-cell="${id}"]`;
const linkOf = (json) => `v1.${deflateSync(Buffer.from(json)).toString("base64url")}`;
const ids = (page) => page.$$eval("[data-cell]", (cells) => cells.map((c) => Number(c.dataset.cell)));

/** Run all, then every experiment is done and every analysis of one that exists has a verdict. */
async function runAllAndScrub(page, experiments, analyses) {
  await page.click("#run-all");
  for (const id of experiments) await page.waitForSelector(`${cell(id)} .status[data-state=done]`, { timeout: 300_000 });
  for (const id of analyses) {
    await page.waitForSelector(`${cell(id)} .verdict`, { timeout: 120_000 });
    await page.$eval(`${cell(id)} .scrub-range`, (r) => { r.value = "0"; r.dispatchEvent(new Event("change")); });
    await page.waitForFunction((sel) => /step 0\b/.test(document.querySelector(sel)?.textContent ?? ""), `${cell(id)} .verdict .at`, { timeout: 120_000 });
  }
}

test("cells in any order open, train, analyse and scrub", { timeout: 1_500_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small&steps=${STEPS}`);
  try {
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    // Moved with ↑ above its experiment, then reloaded: the reported crash.
    await page.click(`${cell(CLOCK_ANALYSIS)} [aria-label="move up"]`);
    await page.click(`${cell(CLOCK_ANALYSIS)} [aria-label="move up"]`);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-cell]")].map((c) => c.dataset.cell).join() === "1,4,2,3,5,6");
    await page.reload();
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    await runAllAndScrub(page, [CLOCK, PIZZA], [CLOCK_ANALYSIS, PIZZA_ANALYSIS]);
    await screenshot(page, "order-moved-up");
    assert.deepEqual(errors, [], "moved up and reloaded");

    // Links whose notebooks put the cells in other orders.
    const own = JSON.parse(await page.evaluate(() => localStorage.getItem("grokscope:notebook:own")));
    for (const c of own.cells) if (c.kind === "experiment") c.run.train.steps = STEPS;
    const byId = Object.fromEntries(own.cells.map((c) => [c.id, c]));
    const twice = structuredClone(byId[CLOCK_ANALYSIS]);
    twice.id = 9;
    const variants = {
      "analyses first": [byId[PIZZA_ANALYSIS], byId[CLOCK_ANALYSIS], ...own.cells.filter((c) => ![CLOCK_ANALYSIS, PIZZA_ANALYSIS].includes(c.id))],
      "two analyses of one experiment": [twice, ...own.cells],
      "an analysis whose experiment is gone": own.cells.filter((c) => c.id !== PIZZA),
    };
    for (const [i, [name, cells]] of Object.entries(variants).entries()) {
      const present = new Set(cells.map((c) => c.id));
      const experiments = [CLOCK, PIZZA].filter((id) => present.has(id));
      const analyses = cells.filter((c) => c.kind === "analysis" && present.has(c.experiment)).map((c) => c.id);
      errors.length = 0;
      // A query of its own, so that the page loads anew rather than only moving to the fragment.
      await page.goto(`${server.url}?variant=${i}#${linkOf(JSON.stringify({ ...own, cells }))}`);
      await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
      assert.equal(await page.textContent("#message"), "", name);
      assert.deepEqual(await ids(page), cells.map((c) => c.id), name);
      await runAllAndScrub(page, experiments, analyses);
      await screenshot(page, `order-${name.replaceAll(" ", "-")}`);
      assert.deepEqual(errors, [], name);
    }
  } finally {
    await close();
  }
});

// What the page keeps can never lock the reader out or lose their work (headless Chromium, CPU
// backend): a text cell nested 5,000 levels deep (which crashed the tab when every level was an
// element) renders within the depth limit, and reloads; a saved notebook whose last opening
// never finished drawing opens in safe mode, which downloads it, opens it again or puts it aside;
// two tabs on one notebook merge the cells each adds, and where they edit the same cells the
// other tab's copy is never written over (this tab's is kept beside it, and saved over it only
// when the reader asks).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

const OWN = "grokscope:notebook:own";
const saved = async (page) => JSON.parse(await page.evaluate((key) => localStorage.getItem(key), OWN));

test("a text cell nested 5,000 deep renders within the depth limit, and the page reloads", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small`);
  try {
    await page.waitForSelector("#add-markdown");
    await page.click("#add-markdown");
    const text = ">".repeat(5000) + " innermost";
    const notebook = await saved(page);
    notebook.cells.at(-1).text = text;
    // As a reader's stored notebook would hold it, then opened again.
    await page.evaluate(([key, json]) => localStorage.setItem(key, json), [OWN, JSON.stringify(notebook)]);
    await page.reload();
    // Drawn (the innermost quote is squeezed to no width, so it is attached rather than visible).
    await page.waitForSelector("text=innermost", { state: "attached" });
    const depth = await page.evaluate(() => {
      let deepest = 0;
      for (const q of document.querySelectorAll("blockquote")) {
        let d = 0;
        for (let e = q; e; e = e.parentElement) d += e.tagName === "BLOCKQUOTE";
        deepest = Math.max(deepest, d);
      }
      return deepest;
    });
    console.log(`5,000 nested quotes drawn as ${depth} levels`);
    assert.ok(depth > 0 && depth <= 32, `${depth} levels`);
    await page.waitForFunction(() => localStorage.getItem("grokscope:opening:own") === null);
    await page.reload();
    await page.waitForSelector("text=innermost", { state: "attached" });
    assert.equal(await page.$("#safe-mode"), null, "a notebook that drew opens normally again");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a notebook whose last opening never finished opens in safe mode", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small`);
  try {
    await page.waitForSelector("#add-markdown");
    await page.click("#add-markdown");
    await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key)).cells.length === 7, OWN);
    const before = await page.evaluate((key) => localStorage.getItem(key), OWN);
    // As a crash while drawing leaves it: the opening mark, never cleared.
    await page.evaluate(() => localStorage.setItem("grokscope:opening:own", "1"));
    await page.reload();
    await page.waitForSelector("#safe-mode");
    assert.equal(await page.$("[data-cell]"), null, "nothing of the notebook is drawn");
    await screenshot(page, "safe-mode");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#safe-download")]);
    assert.equal(await readFile(await download.path(), "utf8"), before, "the download is the notebook as saved");
    // Opened again, it draws, and the mark is cleared once drawn.
    await page.click("#safe-again");
    await page.waitForSelector("[data-cell]");
    await page.waitForFunction(() => localStorage.getItem("grokscope:opening:own") === null, null, { timeout: 10_000 });
    // Put aside: a fresh notebook opens, and the old one is kept under another key.
    await page.evaluate(() => localStorage.setItem("grokscope:opening:own", "1"));
    await page.reload();
    await page.click("#safe-erase");
    await page.waitForSelector("[data-cell]");
    const keys = await page.evaluate(() => Object.keys(localStorage));
    const aside = keys.find((k) => k.startsWith("grokscope:unreadable:own:"));
    assert.ok(aside, `${keys}`);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), aside), before);
    assert.equal((await saved(page)).cells.length, 6, "the default notebook opened");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("two tabs on one notebook merge the cells each adds and never write over each other's edits", { timeout: 120_000 }, async () => {
  const { page: a, errors, context, close } = await open(`${server.url}?size=small`);
  try {
    await a.waitForSelector("#add-markdown");
    const count = (notebook, kind) => notebook.cells.filter((c) => c.kind === kind).length;
    const base = await saved(a);
    const b = await context.newPage();
    b.on("pageerror", (e) => errors.push(String(e)));
    await b.goto(`${server.url}?size=small`);
    await b.waitForSelector("#add-markdown");
    // A adds a text cell, then B (which opened before it) two experiments.
    await a.click("#add-markdown");
    await a.waitForFunction(([key, n]) => JSON.parse(localStorage.getItem(key)).cells.length === n, [OWN, base.cells.length + 1]);
    await b.click("#add-experiment");
    await b.click("#add-experiment");
    await b.waitForSelector("#other-tab");
    const both = await saved(b);
    const kinds = both.cells.map((c) => c.kind);
    console.log(`merged: ${kinds.join(", ")}`);
    const n = base.cells.length + 3;
    assert.equal(both.cells.length, n, "A's text cell and B's two experiments are all kept");
    assert.equal(count(both, "markdown"), count(base, "markdown") + 1);
    assert.equal(count(both, "experiment"), count(base, "experiment") + 2);
    assert.equal(new Set(both.cells.map((c) => c.id)).size, n, "ids stay unique");
    assert.equal(await b.locator("[data-cell]").count(), n, "tab B shows the merged notebook");

    // Both delete a different cell: a conflict. A's save is not written over B's.
    await a.reload();
    await a.waitForSelector("[data-cell]");
    await b.click(`[data-cell="${both.cells[0].id}"] button.delete`);
    await b.waitForFunction(([key, n]) => JSON.parse(localStorage.getItem(key)).cells.length === n, [OWN, n - 1]);
    const bs = await a.evaluate((key) => localStorage.getItem(key), OWN);
    await a.click(`[data-cell="${both.cells.at(-1).id}"] button.delete`);
    await a.waitForSelector("#keep-this-tab");
    assert.match(await a.textContent("#other-tab"), /not written over: this tab's version is kept beside it/);
    assert.equal(await a.evaluate((key) => localStorage.getItem(key), OWN), bs, "B's copy stands");
    const beside = await a.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith("grokscope:this-tab:own:")));
    assert.equal(JSON.parse(await a.evaluate((k) => localStorage.getItem(k), beside)).cells.length, n - 1, "A's copy is kept beside it");
    await screenshot(a, "two-tabs-conflict");
    // Asked to, A saves over it.
    await a.click("#keep-this-tab");
    const mine = await saved(a);
    assert.equal(mine.cells.length, n - 1);
    assert.ok(mine.cells.some((c) => c.id === both.cells[0].id) && !mine.cells.some((c) => c.id === both.cells.at(-1).id));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

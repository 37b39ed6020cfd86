// Links, saving and files in a real browser (headless Chromium, CPU backend): a shared link
// opens in a fresh browser and reproduces the run bit for bit; it never overwrites the
// reader's own notebook; lesson links lock controls; `?lesson=` opens a shipped notebook as a
// copy of its own and an unknown name is reported; damaged, oversized, newer and hostile
// links are refused with a message and cost nothing; the notebook, metrics, charts and
// weights download (and TransformerLens' layouts for α = 1, refused with why for α = 0), and the
// notebook and the weights upload again; the page's Content-Security-Policy stops injected script.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { deflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

const CLOCK = 2, PIZZA = 3, PIZZA_ANALYSIS = 5;
const cell = (id) => `[data-cell="${id}"]`;
const history = async (page, id) => JSON.parse(await page.getAttribute(`${cell(id)} .curves`, "data-snapshots"));
const saved = (page) => page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith("grokscope:")).map((k) => [k, localStorage.getItem(k)])));
const ownSaved = async (page) => JSON.parse((await saved(page))["grokscope:notebook:own"] ?? "null");

/** Renames the α = 1 experiment as a reader would, and lets autosave store it. */
async function renameClock(page, name) {
  await page.fill(`${cell(CLOCK)} .cell-title`, name);
  await page.press(`${cell(CLOCK)} .cell-title`, "Tab");
  await page.waitForTimeout(200);
}

/** A link as the page writes it, for a notebook JSON made here (zlib, URL-safe base64). */
const linkOf = (json) => `v1.${deflateSync(Buffer.from(json)).toString("base64url")}`;

/** Sets a field of an experiment's form and waits for the summary to show it. */
async function setField(page, id, name, value) {
  if (!(await page.isVisible(`${cell(id)} input[name=${name}]`))) await page.click(`${cell(id)} summary`);
  await page.fill(`${cell(id)} input[name=${name}]`, String(value));
  await page.press(`${cell(id)} input[name=${name}]`, "Tab");
}

async function train(page, id) {
  await page.click(`${cell(id)} button.play`);
  await page.waitForSelector(`${cell(id)} .status[data-state=done]`, { timeout: 300_000 });
  return history(page, id);
}

async function downloadOf(page, click) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(click)]);
  const path = join(await mkdtemp(join(tmpdir(), "grokscope-download-")), download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path, bytes: await readFile(path) };
}

test("a shared link opens in a fresh browser, reproduces the run bit for bit and never overwrites the reader's notebook", { timeout: 900_000 }, async () => {
  const a = await open(`${server.url}?size=small&steps=40`, { clipboard: true });
  try {
    await setField(a.page, CLOCK, "seed", 7);
    await a.page.waitForFunction(() => /seed 7\b/.test(document.querySelector('[data-cell="2"] summary').textContent));
    const original = await train(a.page, CLOCK);
    assert.equal(original.at(-1).step, 40);
    await a.page.click("#share");
    await a.page.click("#copy-link");
    await a.page.waitForSelector("#share-panel .copied:not(:empty)");
    const link = await a.page.inputValue("#share-link");
    assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), link, "Copy puts the link on the clipboard");
    const fragment = new URL(link).hash;
    assert.ok(fragment.length < 2000, `${fragment.length} characters`);
    await screenshot(a.page, "links-share-panel");

    // A fresh browser profile: the same notebook, the same curve to the last bit.
    const b = await open(link);
    try {
      await b.page.waitForSelector("#origin");
      assert.match(await b.page.textContent(`${cell(CLOCK)} summary`), /seed 7\b.*|.*seed 7/);
      const reopened = await train(b.page, CLOCK);
      assert.deepEqual(reopened, original);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }

    // In the reader's own browser, after further edits: the link opens as a copy beside them.
    await setField(a.page, CLOCK, "seed", 8);
    await a.page.waitForFunction(() => /seed 8\b/.test(document.querySelector('[data-cell="2"] summary').textContent));
    await a.page.waitForTimeout(200);
    const own = await ownSaved(a.page);
    assert.equal(own.cells[1].run.train.seed, 8);
    const linked = await a.context.newPage();
    await linked.goto(link);
    await linked.waitForSelector("#origin");
    assert.match(await linked.textContent(`${cell(CLOCK)} summary`), /seed 7\b/);
    await setField(linked, PIZZA, "seed", 99); // an edit to the copy
    await linked.waitForTimeout(200);
    assert.deepEqual(await ownSaved(linked), own, "opening and editing a link left the reader's notebook alone");
    // Reloading the link keeps the edit to the copy.
    await linked.reload();
    await linked.waitForSelector("#origin");
    assert.match(await linked.textContent(`${cell(PIZZA)} summary`), /seed 99\b/);
    assert.match(await linked.textContent("#origin"), /earlier edits/);
    // "open it" goes back to the reader's own notebook.
    await linked.click("#origin a");
    await linked.waitForFunction(() => /seed 8\b/.test(document.querySelector('[data-cell="2"] summary')?.textContent ?? ""));
    assert.equal(await linked.$("#origin"), null);
    assert.deepEqual(a.errors, []);
  } finally {
    await a.close();
  }
});

test("a lesson link locks what its author chose; the reader changes only α", { timeout: 300_000 }, async () => {
  const t = await open(`${server.url}?size=small&steps=20`);
  let link;
  try {
    await t.page.click("#share");
    await t.page.click("text=Lock all but α");
    link = await t.page.inputValue("#share-link");
  } finally {
    await t.close();
  }
  const s = await open(link);
  try {
    await s.page.waitForSelector("#lesson");
    assert.match(await s.page.textContent("#lesson"), /You may change: attention rate α\./);
    await s.page.click(`${cell(CLOCK)} summary`);
    assert.equal(await s.page.isDisabled(`${cell(CLOCK)} input[name=seed]`), true);
    assert.equal(await s.page.isDisabled(`${cell(CLOCK)} input[name=p]`), true);
    assert.equal(await s.page.isDisabled(`${cell(CLOCK)} select[name=model]`), true);
    assert.equal(await s.page.isDisabled(`${cell(CLOCK)} input[name=attention_rate]`), false);
    assert.equal(await s.page.isVisible("#add-experiment"), false);
    assert.equal(await s.page.isVisible(`${cell(CLOCK)} [aria-label="delete cell"]`), false);
    await setField(s.page, CLOCK, "attention_rate", 0.5);
    await s.page.waitForFunction(() => /α = 0\.5/.test(document.querySelector('[data-cell="2"] summary').textContent));
    await screenshot(s.page, "links-lesson");
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test("a shipped lesson opens from ?lesson= as a copy beside the reader's own; an unknown one is named", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small`);
  try {
    await renameClock(page, "My own run");
    const own = await ownSaved(page);
    await page.goto(`${server.url}?lesson=clock-vs-pizza&size=small`);
    await page.waitForSelector("#origin");
    assert.match(await page.textContent("#origin"), /the lesson “Clock vs Pizza”/);
    assert.equal(await page.inputValue(`${cell(CLOCK)} .cell-title`), "Standard attention (α = 1)");
    // Edits to the lesson's copy stay in its own slot.
    await renameClock(page, "My lesson run");
    assert.deepEqual(await ownSaved(page), own, "the lesson left the reader's notebook alone");
    await page.reload();
    await page.waitForSelector("#origin");
    assert.equal(await page.inputValue(`${cell(CLOCK)} .cell-title`), "My lesson run");
    await page.goto(`${server.url}?lesson=nope`);
    await page.waitForSelector("#message:not(:empty)");
    assert.match(await page.textContent("#message"), /lesson=nope.*clock-vs-pizza/);
    assert.equal(await page.inputValue(`${cell(CLOCK)} .cell-title`), "My own run");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("damaged, oversized, newer and hostile links are refused with a message and cost nothing", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small`);
  try {
    // The reader's own notebook, edited.
    await renameClock(page, "My own run");
    const own = await ownSaved(page);
    assert.equal(own.cells[1].name, "My own run");
    await page.click("#share");
    const good = new URL(await page.inputValue("#share-link")).hash.slice(1);
    const json = JSON.stringify(own);
    const bad = {
      truncated: [good.slice(0, good.length >> 1), /damaged or incomplete/],
      corrupted: [good.slice(0, 40) + (good[40] === "A" ? "B" : "A") + good.slice(41), /damaged or incomplete/],
      newer: [good.replace(/^v1\./, "v2."), /newer grokscope/],
      "newer notebook": [linkOf(JSON.stringify({ ...own, version: 9, cells: "?" })), /newer grokscope/],
      oversized: ["v1." + "A".repeat(1_100_000), /larger than/],
      "zip bomb": [linkOf(" ".repeat(8 << 20)), /larger than/],
      "beyond the limits": [linkOf(json.replace('"p":31', '"p":100000')), /p = 100000/],
    };
    for (const [what, [fragment, message]] of Object.entries(bad)) {
      await page.goto(`${server.url}#${fragment}`);
      await page.reload(); // a fragment-only change does not reload the page
      await page.waitForFunction(() => document.querySelector("#message")?.textContent.trim().length > 0, null, { timeout: 10_000 });
      assert.match(await page.textContent("#message"), message, what);
      assert.equal(await page.inputValue(`${cell(CLOCK)} .cell-title`), "My own run", `${what}: the reader's notebook is shown`);
      assert.deepEqual(await ownSaved(page), own, `${what}: the reader's notebook is untouched`);
    }
    await screenshot(page, "links-bad-link");
    // A link whose text cell holds HTML and script: shown as text, never run.
    const hostile = JSON.parse(json);
    hostile.cells[0].text = '<img src=x onerror="window.__ran=1"><script>window.__ran=2</script>';
    await page.goto(`${server.url}#${linkOf(JSON.stringify(hostile))}`);
    await page.reload();
    await page.waitForSelector("#origin");
    await page.waitForFunction(() => /<img src=x onerror=/.test(document.querySelector('[data-cell="1"] .rendered')?.textContent ?? ""));
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    assert.equal(await page.$$eval(`${cell(1)} .rendered img, ${cell(1)} .rendered script`, (e) => e.length), 0);
    // And script injected by any other route is stopped by the page's policy.
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = 3";
      document.head.append(s);
    });
    assert.equal(await page.evaluate(() => window.__ran), undefined, "the Content-Security-Policy blocks inline script");
    assert.deepEqual(errors.filter((e) => !/Content Security Policy/.test(e)), []);
  } finally {
    await close();
  }
});

test("notebook, metrics, charts, weights and TransformerLens download; the notebook and the weights upload again; bad files are refused", { timeout: 900_000 }, async () => {
  const { page, errors, context, close } = await open(`${server.url}?size=small&steps=40`);
  try {
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=idle]`);
    const history40 = await train(page, PIZZA);
    await page.waitForSelector(`${cell(PIZZA_ANALYSIS)} .verdict`);
    const gs = await page.textContent(`${cell(PIZZA_ANALYSIS)} .gs`);

    // The notebook as JSON, and back: it opens as a copy in a new tab.
    const file = await downloadOf(page, "#save-file");
    assert.equal(file.name, "clock-vs-pizza.grokscope.json");
    const notebook = JSON.parse(file.bytes);
    assert.equal(notebook.cells.length, 6);
    const [tab] = await Promise.all([context.waitForEvent("page"), page.setInputFiles("#open-file", file.path)]);
    await tab.waitForSelector("#origin");
    assert.equal(await tab.$$eval("[data-cell]", (c) => c.length), 6);
    await tab.close();

    // Metrics as CSV and JSON.
    const csv = (await downloadOf(page, `${cell(PIZZA)} .metrics-csv`)).bytes.toString().trim().split("\n");
    assert.equal(csv[0], "step,train_loss,train_accuracy,test_loss,test_accuracy,accuracy_all_pairs");
    assert.equal(csv.length - 1, history40.length);
    assert.equal(Number(csv.at(-1).split(",")[3]), history40.at(-1).test_loss);
    const metrics = JSON.parse((await downloadOf(page, `${cell(PIZZA)} .metrics-json`)).bytes);
    assert.deepEqual(metrics.history, history40);
    assert.equal(metrics.run.task.p, 31);

    // Every chart as PNG and SVG.
    const png = await downloadOf(page, `${cell(PIZZA)} .chart-box button.png`);
    assert.equal(png.bytes.subarray(1, 4).toString(), "PNG");
    const svg = (await downloadOf(page, `${cell(PIZZA_ANALYSIS)} .chart-box button.svg`)).bytes.toString();
    assert.match(svg, /^<svg[^>]*width="\d+"/);
    assert.match(svg, /Correct-class logit/);

    // The weights as safetensors with the paper's names; loaded into the analysis, the same numbers.
    const weights = await downloadOf(page, `${cell(PIZZA)} .weights`);
    assert.equal(weights.name, "constant-attention-0-step40.safetensors");
    const header = JSON.parse(weights.bytes.subarray(8, 8 + Number(weights.bytes.readBigUInt64LE(0))).toString());
    for (const name of ["embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.mlp.W_in", "unembed.W_U"]) assert.ok(header[name], name);
    assert.equal(JSON.parse(header.__metadata__.config).attn_coeff, 0);
    await page.setInputFiles(`${cell(PIZZA_ANALYSIS)} input.checkpoint`, weights.path);
    await page.waitForFunction(() => /from constant-attention/.test(document.querySelector('[data-cell="5"] .verdict .at')?.textContent ?? ""), null, { timeout: 120_000 });
    assert.equal(await page.textContent(`${cell(PIZZA_ANALYSIS)} .gs`), gs);

    // TransformerLens: α = 0 has no equivalent, and says so; the α = 1 model comes in its layouts.
    await page.click(`${cell(PIZZA)} .transformer-lens`);
    assert.match(await page.textContent(`${cell(PIZZA)} .downloads .error`), /α = 0 has no TransformerLens equivalent/);
    await train(page, CLOCK);
    const hooked = await downloadOf(page, `${cell(CLOCK)} .transformer-lens`);
    assert.match(hooked.name, /-step40-transformer-lens\.safetensors$/);
    const tl = JSON.parse(hooked.bytes.subarray(8, 8 + Number(hooked.bytes.readBigUInt64LE(0))).toString());
    const tlConfig = JSON.parse(tl.__metadata__.config);
    assert.deepEqual([tlConfig.attention_dir, tlConfig.normalization_type, tlConfig.d_vocab, tlConfig.n_ctx], ["bidirectional", null, 31, 2]);
    const { d_model, n_heads, d_head, d_mlp } = tlConfig;
    assert.deepEqual(tl["embed.W_E"].shape, [31, d_model]);
    assert.deepEqual(tl["blocks.0.attn.W_Q"].shape, [n_heads, d_model, d_head]);
    assert.deepEqual(tl["blocks.0.attn.W_O"].shape, [n_heads, d_head, d_model]);
    assert.deepEqual(tl["blocks.0.mlp.W_in"].shape, [d_model, d_mlp]);

    // Bad files: a message beside the cell, the rest keeps working.
    const dir = await mkdtemp(join(tmpdir(), "grokscope-bad-"));
    const badFiles = {
      "garbage.safetensors": [Buffer.from("not a checkpoint at all"), /header claims|too short|unreadable/],
      "half.safetensors": [weights.bytes.subarray(0, weights.bytes.length >> 1), /unreadable/],
      "lying.safetensors": [Buffer.concat([Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]), weights.bytes.subarray(8)]), /header claims/],
    };
    for (const [name, [bytes, message]] of Object.entries(badFiles)) {
      await writeFile(join(dir, name), bytes);
      await page.setInputFiles(`${cell(PIZZA_ANALYSIS)} input.checkpoint`, join(dir, name));
      await page.waitForFunction((n) => document.querySelector('[data-cell="5"] .load-error')?.textContent.includes(n), name, { timeout: 30_000 });
      assert.match(await page.textContent(`${cell(PIZZA_ANALYSIS)} .load-error`), message, name);
    }
    const badNotebooks = {
      "newer.json": [JSON.stringify({ ...notebook, version: 9 }), /newer grokscope/],
      "broken.json": ['{"version": 1, "cells": [', /damaged or incomplete/],
    };
    for (const [name, [text, message]] of Object.entries(badNotebooks)) {
      await writeFile(join(dir, name), text);
      await page.setInputFiles("#open-file", join(dir, name));
      await page.waitForFunction((n) => document.querySelector("#message")?.textContent.includes(n), name, { timeout: 10_000 });
      assert.match(await page.textContent("#message"), message, name);
    }
    assert.equal(await page.textContent(`${cell(PIZZA_ANALYSIS)} .gs`), gs, "the analysis shown is kept");
    await screenshot(page, "links-files");

    // Erasing local data: it says what it erases, then nothing of grokscope's is left.
    page.once("dialog", async (d) => {
      assert.match(d.message(), /your own notebook: saved/);
      await d.accept();
    });
    await page.click("#erase");
    await page.waitForSelector("#erased:not(:empty)");
    assert.deepEqual(await saved(page), {});
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

// Usable by everyone (headless Chromium, CPU backend): axe-core's WCAG 2.0/2.1/2.2 A and AA rules
// (injected with the CSP bypassed for the test) find no violation on the default notebook before,
// during and after a run, with the share panel open, at desktop and phone width, on a lesson, a
// sweep cell, the benchmark page and the device-fitted default; every chart canvas is an image
// with a text alternative holding its numbers (a compare cell's names each run overlaid by what
// tells it apart, and follows its ticks); the keyboard alone drives a whole run (Tab order with a
// visible focus, Enter and Space on the buttons, the settings form, a file button, the scrub bar
// by arrow keys, Escape closes the share panel and returns the focus, no trap).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/static-server.mjs";
import { open, screenshot } from "./browser.mjs";

const DIST = process.env.GROKSCOPE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "../../dist");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
let server;
before(async () => (server = await serve(DIST)));
after(() => server.close());

const CLOCK = 2, PIZZA = 3, CLOCK_ANALYSIS = 4, PIZZA_ANALYSIS = 5;
const cell = (id) => `[data-cell="${id}"]`;

/** axe-core's WCAG A/AA rules on the page as it is: fails on any violation, naming where. */
async function audit(page, what) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate((tags) => axe.run(document, { runOnly: { type: "tag", values: tags } }), WCAG);
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | ")}`);
  console.log(`${what}: axe ${result.testEngine.version}, ${result.passes.length} rules pass, ${violations.length} violated, ${result.incomplete.length} for a person to check`);
  assert.deepEqual(violations, [], `${what}: WCAG A/AA violations`);
}

/** Every chart canvas's text alternative. */
const alternatives = (page) => page.$$eval("canvas.chart", (cs) => cs.map((c) => [c.id, c.getAttribute("role"), c.getAttribute("aria-label") ?? ""]));

test("the default notebook has no WCAG A/AA violation before and after a run, with the share panel, at 1280 and 360 px", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small&steps=120`, { bypassCSP: true });
  try {
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    await audit(page, "default notebook, idle, 1280 px");
    await page.click("#share");
    await page.waitForSelector("#share-panel");
    await audit(page, "share panel open");
    await page.click("#share");
    await page.click("#run-all");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=running]`);
    await audit(page, "while training");
    await page.waitForSelector(`${cell(CLOCK_ANALYSIS)} .verdict`, { timeout: 300_000 });
    await page.waitForSelector(`${cell(PIZZA_ANALYSIS)} .verdict`, { timeout: 300_000 });
    // A compare cell overlays both runs, each named by what tells it apart; unticking one leaves one.
    await page.click("#add-compare");
    const compare = await page.$eval("[data-kind=compare]", (c) => Number(c.dataset.cell));
    await page.waitForFunction((id) => /2 runs overlaid/.test(document.querySelector(`#compare-${id}`)?.getAttribute("aria-label") ?? ""), compare);
    const overlaid = await page.getAttribute(`#compare-${compare}`, "aria-label");
    assert.match(overlaid, /Standard attention \(α = 1\) \(α 1\): test accuracy \d\.\d{3}/);
    assert.match(overlaid, /Constant attention \(α = 0\) \(α 0\): test accuracy/);
    await page.uncheck(`${cell(compare)} input[data-experiment="${CLOCK}"]`);
    await page.waitForFunction((id) => /^1 run overlaid\. Constant attention \(α = 0\):/.test(document.querySelector(`#compare-${id}`).getAttribute("aria-label")), compare);
    await page.check(`${cell(compare)} input[data-experiment="${CLOCK}"]`);
    await page.click(`${cell(CLOCK)} .curves details.chart-data summary`);
    await page.waitForSelector(`${cell(CLOCK)} table.data tbody tr`);
    assert.equal(await page.$$eval(`${cell(CLOCK)} table.data tbody tr`, (r) => r.length), JSON.parse(await page.getAttribute(`${cell(CLOCK)} .curves`, "data-snapshots")).length, "the data table has a row per recorded step");
    await screenshot(page, "a11y-compare");
    await audit(page, "after the run, 1280 px");
    // Each chart says what it shows with its numbers.
    const charts = await alternatives(page);
    console.log(charts.map(([id, , text]) => `${id}: ${text}`).join("\n"));
    assert.ok(charts.length >= 8, `${charts.length} charts`);
    for (const [id, role, text] of charts) {
      assert.equal(role, "img", id);
      assert.ok(text.length > 40 && /\d/.test(text), `${id}: "${text}"`);
    }
    const curves = charts.find(([id]) => id === `curves-${CLOCK}`)[2];
    assert.match(curves, /^Loss and accuracy over 120 steps\. At step 120: .*test accuracy \d\.\d{3}/);
    assert.match(charts.find(([id]) => id === `correct_logits-${PIZZA_ANALYSIS}`)[2], /distance irrelevance \d\.\d{3}/);
    // Narrow screens and zoom (a 1280 px window at 200 % lays out at 640 CSS px): audited, looked
    // at, and never wider than the window (WCAG 1.4.10, reflow).
    for (const [width, height, name] of [[360, 780, "a11y-360"], [320, 700, "a11y-320"], [640, 450, "a11y-zoom-200"]]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(500);
      await audit(page, `after the run, ${width} px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${width} px: the page is ${overflow} px wider than the window`);
      await screenshot(page, name);
    }
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a lesson, a sweep cell, the benchmark page and the device-fitted default have no WCAG A/AA violation", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?lesson=beyond-addition&size=small&steps=30`, { bypassCSP: true });
  try {
    await page.waitForSelector("#origin");
    await page.click("#run-all");
    await page.waitForFunction(() => [...document.querySelectorAll(".status")].some((s) => s.dataset.state === "done"), null, { timeout: 300_000 });
    await audit(page, "the Beyond addition lesson, after a run");
    await page.goto(`${server.url}?lesson=phase-diagram&size=small`);
    await page.waitForSelector(".phase-chart");
    await audit(page, "a sweep cell, idle");
    await page.goto(`${server.url}?bench&p=11&d_model=16&steps=3&every=3`);
    await page.waitForSelector("#bench[data-state=done]", { timeout: 300_000 });
    await audit(page, "the benchmark page");
    await page.goto(server.url);
    await page.waitForSelector("#fit[data-state=fitted]", { timeout: 120_000 });
    await audit(page, "the default notebook, sized for the device");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

/** Presses Tab until `selector` has the focus (at most `limit` times); each stop shows a focus ring. */
async function tabTo(page, selector, limit = 300) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const here = await page.evaluate((s) => {
      const e = document.activeElement;
      const style = getComputedStyle(e);
      const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      return { matches: e.matches(s), ring, name: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}` };
    }, selector);
    assert.ok(here.ring, `the focused ${here.name} shows a focus ring (Tab ${i + 1} towards ${selector})`);
    if (here.matches) return i + 1;
  }
  assert.fail(`Tab never reached ${selector}`);
}

test("the keyboard alone drives a whole run: Tab order, Enter and Space, the scrub bar's arrows, Escape, no trap", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small&steps=100`);
  try {
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    // Run all is the first stop; Enter presses it.
    assert.equal(await tabTo(page, "#run-all", 1), 1);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=running]`);
    // Pause all is next; Space presses it, and Shift+Tab, Space resumes.
    await tabTo(page, "#pause-all", 1);
    await page.keyboard.press(" ");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=paused]`, { timeout: 5_000 });
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press(" ");
    await page.waitForSelector(`${cell(CLOCK_ANALYSIS)} .verdict`, { timeout: 300_000 });
    await page.waitForSelector(`${cell(PIZZA_ANALYSIS)} .verdict`, { timeout: 300_000 });
    // The share panel opens with Enter and closes with Escape, the focus back on its button.
    await page.focus("#run-all");
    await tabTo(page, "#share", 3);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#share-panel");
    await page.waitForFunction(() => document.activeElement?.id === "share-link", null, { timeout: 5_000 });
    await tabTo(page, "#copy-link", 2);
    await page.keyboard.press("Escape");
    await page.waitForSelector("#share-panel", { state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement.id), "share");
    // An experiment's own buttons: its reset, then play from the keyboard trains it again.
    const stops = await tabTo(page, `${cell(CLOCK)} button.reset`);
    console.log(`Tab reached the α = 1 experiment's reset after ${stops} more stops`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=idle]`);
    await page.keyboard.press("Shift+Tab");
    while (!(await page.evaluate(() => document.activeElement.matches("button.play")))) await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=done]`, { timeout: 300_000 });
    // The scrub bar moves with the arrow keys: Home goes to the first recorded step.
    await page.focus(cell(PIZZA_ANALYSIS));
    await tabTo(page, `${cell(PIZZA_ANALYSIS)} .scrub-range`);
    await page.keyboard.press("Home");
    await page.waitForFunction(() => /step 0\b/.test(document.querySelector('[data-cell="5"] .verdict .at')?.textContent ?? ""), null, { timeout: 60_000 });
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelector('[data-cell="5"] .scrub-range').value === "1");
    // The settings form: Enter opens it, a value typed and Tab apply it (the run starts again).
    // It is locked while the scrubbed step is analysed.
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=done]`);
    await page.focus(`${cell(PIZZA)} .cell-title`);
    await tabTo(page, `${cell(PIZZA)} details.settings summary`, 2);
    await page.keyboard.press("Enter");
    await tabTo(page, `${cell(PIZZA)} input[name=steps]`);
    await page.keyboard.press("Control+A");
    await page.keyboard.type("50");
    await page.keyboard.press("Tab");
    await page.waitForFunction((id) => / 50 steps /.test(document.querySelector(`[data-cell="${id}"] summary`).textContent), PIZZA);
    assert.equal(await page.getAttribute(`${cell(PIZZA)} .status`, "data-state"), "idle");
    // A file button: Enter on "Save file" downloads the notebook, with the new setting in it.
    await page.focus("#share");
    await tabTo(page, "#save-file", 1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert.match(download.suggestedFilename(), /\.grokscope\.json$/);
    // No trap: Tab goes on through the page and out of it.
    for (let i = 0; i < 400 && (await page.evaluate(() => document.activeElement !== document.body)); i++) await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true, "Tab leaves the page's last control");
    await screenshot(page, "a11y-keyboard");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

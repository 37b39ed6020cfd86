// Lessons in a real browser (headless Chromium, CPU backend): `?lessons` lists the shipped
// lessons and opens each; in the guided Clock and Pizza lesson a prediction is made before the
// run, its answer appears only after the run it is about, and the checks say what the reader's
// runs produced; a teacher adds a question, a hint and a check in the page, and a check that a run
// does not meet says so.
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

const cell = (id) => `[data-cell="${id}"]`;
// The guided lesson's cells (crates/document/lessons/clock-and-pizza.json).
const QUESTION = 6, HINT = 7, CLOCK = 2, PIZZA = 3, PIZZA_CHECK = 8, CLOCK_CHECK = 9;

test("?lessons lists the shipped lessons, and the guided lesson's question and checks work", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?lessons`);
  try {
    await page.waitForSelector("li.lesson");
    const listed = await page.$$eval("li.lesson", (ls) => ls.map((l) => l.dataset.lesson));
    assert.deepEqual(listed.sort(), ["beyond-addition", "clock-and-pizza", "clock-vs-pizza", "grokking", "phase-diagram"]);
    await screenshot(page, "lessons-page");
    await page.click('li[data-lesson="clock-and-pizza"] a');
    await page.waitForSelector(`${cell(QUESTION)} fieldset.question`);
    assert.match(page.url(), /\?lesson=clock-and-pizza$/);
    assert.match(await page.textContent("#origin"), /the lesson “Clock and Pizza: a guided lesson”/);
    // Before the run: a prediction to make, no answer.
    assert.equal(await page.getAttribute(`${cell(QUESTION)} fieldset`, "data-revealed"), "false");
    assert.match(await page.textContent(`${cell(QUESTION)} .answer`), /Predict first/);
    await page.check(`${cell(QUESTION)} input[value="1"]`);
    await page.waitForFunction((id) => /prediction is saved/.test(document.querySelector(`[data-cell="${id}"] .answer`).textContent), QUESTION);
    // The hint is collapsed until asked for.
    assert.equal(await page.isVisible(`${cell(HINT)} .rendered`), false);
    await page.click(`${cell(HINT)} summary`);
    assert.match(await page.textContent(`${cell(HINT)} .rendered`), /gradient symmetricity/);
    for (const id of [PIZZA_CHECK, CLOCK_CHECK]) assert.equal(await page.getAttribute(`${cell(id)} .check-result`, "data-state"), "pending");
    await page.click("#run-all");
    // Training locks nothing in the question but the answer stays hidden until α = 0 has finished.
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=running]`);
    assert.equal(await page.getAttribute(`${cell(QUESTION)} fieldset`, "data-revealed"), "false");
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=done]`, { timeout: 400_000 });
    await page.waitForSelector(`${cell(QUESTION)} fieldset[data-revealed=true]`);
    assert.match(await page.textContent(`${cell(QUESTION)} .answer`), /^You predicted it\. The answer: The Pizza/);
    assert.equal(await page.isDisabled(`${cell(QUESTION)} input[value="0"]`), true, "a prediction is not changed after the answer");
    await page.waitForSelector(`${cell(CLOCK)} .status[data-state=done]`, { timeout: 400_000 });
    for (const id of [PIZZA_CHECK, CLOCK_CHECK]) {
      await page.waitForFunction((c) => document.querySelector(`[data-cell="${c}"] .check-result`).dataset.state !== "pending", id);
      console.log(`check ${id}: ${(await page.textContent(`${cell(id)} .check-result`)).trim()}`);
      assert.equal(await page.getAttribute(`${cell(id)} .check-result`, "data-state"), "passed");
    }
    assert.match(await page.textContent(`${cell(PIZZA_CHECK)} .check-result`), /the analysis reads Pizza/);
    await screenshot(page, "lessons-guided");
    // The prediction is the reader's, kept in their copy of the lesson.
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("grokscope:notebook:lesson-clock-and-pizza")));
    assert.equal(saved.cells.find((c) => c.id === QUESTION).chosen, 1);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a teacher adds a question, a hint and a check in the page; a check a run misses says so", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await open(`${server.url}?size=small&steps=40`);
  try {
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=idle]`);
    await page.click("#add-question");
    await page.click("#add-hint");
    await page.click("#add-check");
    const [question, hint, check] = await page.$$eval("[data-kind=question], [data-kind=hint], [data-kind=check]", (cs) => cs.map((c) => Number(c.dataset.cell)));
    // The question is about the last experiment (α = 0): its prompt and choices edited here.
    await page.click(`${cell(question)} button.edit`);
    await page.fill(`${cell(question)} .edit-prompt`, "Will α = 0 learn in 40 steps?");
    await page.press(`${cell(question)} .edit-prompt`, "Tab");
    await page.fill(`${cell(question)} .edit-choices`, "Yes\nNo, it needs more steps");
    await page.press(`${cell(question)} .edit-choices`, "Tab");
    await page.selectOption(`${cell(question)} .edit-answer`, "1");
    await page.fill(`${cell(question)} .edit-explanation`, "Forty steps are far too few.");
    await page.press(`${cell(question)} .edit-explanation`, "Tab");
    await page.click(`${cell(question)} button.edit`);
    assert.equal(await page.textContent(`${cell(question)} legend`), "Will α = 0 learn in 40 steps?");
    assert.deepEqual(await page.$$eval(`${cell(question)} label.choice`, (ls) => ls.map((l) => l.textContent.trim())), ["Yes", "No, it needs more steps"]);
    assert.match(await page.textContent(`${cell(hint)} summary`), /Hint/);
    // The check expects a Pizza with test accuracy 0.95 of α = 0.
    await page.click(`${cell(check)} button.edit`);
    assert.equal(await page.inputValue(`${cell(check)} .run-choice`), String(PIZZA));
    await page.selectOption(`${cell(check)} .edit-verdict`, "Pizza");
    assert.match(await page.textContent(`${cell(check)} .expects`), /Checks “Constant attention \(α = 0\)”: the analysis reads Pizza and test accuracy at least 0\.95\./);
    await page.check(`${cell(question)} input[value="1"]`);
    await page.click(`${cell(PIZZA)} button.play`);
    await page.waitForSelector(`${cell(PIZZA)} .status[data-state=done]`, { timeout: 300_000 });
    await page.waitForSelector(`${cell(check)} .check-result[data-state=failed]`);
    console.log(`a missed check: ${(await page.textContent(`${cell(check)} .check-result`)).trim()}`);
    assert.match(await page.textContent(`${cell(check)} .check-result`), /test accuracy 0\.\d{3}, below 0\.95/);
    assert.match(await page.textContent(`${cell(question)} .answer`), /^You predicted it\. The answer: No, it needs more steps\. Forty steps/);
    // What the teacher wrote travels in the notebook (and so in its link).
    const own = await page.evaluate(() => JSON.parse(localStorage.getItem("grokscope:notebook:own")));
    assert.equal(own.cells.find((c) => c.id === question).prompt, "Will α = 0 learn in 40 steps?");
    assert.deepEqual(own.cells.find((c) => c.id === check).expect, { verdict: "Pizza", min_test_accuracy: 0.95 });
    await screenshot(page, "lessons-teacher");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

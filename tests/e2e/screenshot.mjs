// The README's picture of the notebook (docs/images/notebook.png), made the way the browser tests
// see the page: dist/ served by the plain static file server, headless Chromium on the CPU
// backend, the default notebook at its small size with Run all pressed on opening (`autorun`);
// once both analyses have their verdict and every chart has ink, the two experiments and their
// analyses are photographed at desktop width. Run by `scripts/screenshot`.
//
//   node tests/e2e/screenshot.mjs DIST_DIR OUT_PNG   (defaults: dist docs/images/notebook.png)
import { serve } from "../../scripts/static-server.mjs";
import { open } from "./browser.mjs";

const [dist = "dist", out = "docs/images/notebook.png"] = process.argv.slice(2);
// The default notebook's cells: the experiments at α = 1 and α = 0, then their analyses.
const FIRST = 2, LAST = 5;
const server = await serve(dist);
const { page, errors, close } = await open(`${server.url}?size=small&backend=cpu&autorun`, { width: 1400, height: 1000 });
try {
  for (const id of [4, 5]) await page.waitForSelector(`[data-cell="${id}"] .verdict`, { timeout: 900_000 });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("canvas.chart")].every((c) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
        return n > 2000;
      }),
    null,
    { timeout: 60_000 },
  );
  // From the top of the first experiment to the bottom of the last analysis, in page coordinates.
  const box = async (id) => page.$eval(`[data-cell="${id}"]`, (e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY };
  });
  const top = Math.max(0, (await box(FIRST)).top - 8);
  const bottom = (await box(LAST)).bottom + 8;
  await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: top, width: 1400, height: Math.min(bottom - top, 2400) } });
  console.log(`${out}: cells ${FIRST} to ${LAST}, ${Math.round(bottom - top)} px tall; console errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ""}`);
} finally {
  await close();
  server.close();
}

// Debian's Chromium, headless, with a fresh profile and no network chatter, driven by
// playwright-core (which never downloads a browser of its own).
import { chromium } from "playwright-core";
import { mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

/** Opens `url` in a new browser; `webgpu` adds --enable-unsafe-webgpu (SwiftShader here).
 * `serviceWorkers: "block"` for a test that routes requests (`beforeWorkers`): playwright's
 * routes never see what the page's service worker answers. `bypassCSP` lets a test inject a
 * script (axe-core) that the page's Content-Security-Policy would refuse. */
export async function open(url, { webgpu = false, width = 1280, height = 900, clipboard = false, serviceWorkers = "allow", bypassCSP = false } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "grokscope-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: webgpu ? [...FLAGS, "--enable-unsafe-webgpu"] : FLAGS,
    viewport: { width, height },
    acceptDownloads: true,
    permissions: clipboard ? ["clipboard-read", "clipboard-write"] : [],
    serviceWorkers,
    bypassCSP,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors, context, close: () => context.close() };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs `setup` (a function, as source) in every worker the page starts from now on, before the
 * worker's own code: the workers' loader script is served with it in front. The notebook's
 * workers are where WebGPU lives, so this is how a test reaches the GPU device. */
export async function beforeWorkers(page, setup) {
  await page.context().route("**/grokscope-worker_loader.js", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: `(${setup})();\n${await response.text()}` });
  });
}

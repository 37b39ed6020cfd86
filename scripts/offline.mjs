// After scripts/csp.mjs (scripts/post-build.mjs): writes into dist/sw.js (web/sw.js) the list
// of the build's files and a version that digests them, so the service worker caches exactly
// this build and a browser sees any change of it as a new version.
import { readFile, readdir, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join, relative, sep } from "node:path";

const dist = process.env.TRUNK_STAGING_DIR ?? "dist";
const WORKER = "sw.js";

const entries = await readdir(dist, { recursive: true, withFileTypes: true });
const files = entries
  .filter((e) => e.isFile())
  .map((e) => relative(dist, join(e.parentPath, e.name)).split(sep).join("/"))
  .filter((f) => f !== WORKER)
  .sort();
const digest = createHash("sha256");
for (const file of files) digest.update(file).update("\0").update(await readFile(join(dist, file))).update("\0");
const build = digest.digest("hex").slice(0, 16);
// The page is cached under its directory's address, which is how it is opened.
const urls = files.map((f) => (f === "index.html" ? "./" : `./${f}`));

const path = join(dist, WORKER);
const source = await readFile(path, "utf8");
if (!source.includes("__BUILD__") || !source.includes("__FILES__")) throw new Error(`${path}: no __BUILD__ / __FILES__ placeholder`);
await writeFile(path, source.replace("__BUILD__", build).replace("__FILES__", JSON.stringify(urls)));
console.log(`offline: build ${build}, ${files.length} files cached by ${WORKER}`);

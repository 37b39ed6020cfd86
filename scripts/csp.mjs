// Part of trunk's post-build hook (scripts/post-build.mjs): writes the hashes of the page's inline scripts (trunk's wasm loader,
// and in `trunk serve` its reload script) into the Content-Security-Policy of index.html, so
// the policy allows exactly those and no other inline script.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";

const file = join(process.env.TRUNK_STAGING_DIR ?? "dist", "index.html");
const html = await readFile(file, "utf8");
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  ([, body]) => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`,
);
if (!html.includes("__INLINE_SCRIPT_HASHES__")) throw new Error(`${file}: no __INLINE_SCRIPT_HASHES__ placeholder`);
if (hashes.length === 0) throw new Error(`${file}: no inline script found (trunk's loader moved?)`);
await writeFile(file, html.replaceAll("__INLINE_SCRIPT_HASHES__", hashes.join(" ")));
console.log(`csp: ${hashes.length} inline script(s) allowed`);

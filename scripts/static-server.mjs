// A plain static file server for the built notebook (dist/): what any web server does with it,
// with no special header (docs/hosting.md). The browser tests serve dist/ with it on a free
// port; `scripts/serve` on 8080:
//
//   node scripts/static-server.mjs DIR [PORT] [HOST]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  // The one type a server must get right: browsers compile wasm while it downloads only then.
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};

/** Serves `root` at `base` (a directory of the site, "/" for its root) on `host`:`port` (0: a
 * free one); `edit(path, body)`, if given, may answer another body for a file (a test's "newer
 * build" of one file). */
export async function serve(root, { port = 0, host = "127.0.0.1", base = "/", edit } = {}) {
  const server = createServer(async (req, res) => {
    const full = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const path = `/${full.slice(base.length)}`;
    const file = join(root, path.endsWith("/") ? join(path, "index.html") : path);
    try {
      if (!full.startsWith(base)) throw new Error("outside the site");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(edit ? edit(path, body) : body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((done) => server.listen(port, host, done));
  // Closing drops the open keep-alive connections too: a closed server answers nothing.
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  return { url: `http://${host}:${server.address().port}${base}`, close };
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const [dir = "dist", port = "8080", host = "127.0.0.1"] = process.argv.slice(2);
  const { url } = await serve(dir, { port: Number(port), host });
  console.log(`grokscope: serving ${dir}/ on ${url} (Ctrl+C stops)`);
}

// grokscope's service worker: keeps one build's files (the page, both wasm binaries and their
// loaders, the stylesheet, the manifest and the icons) in a cache named after that build and
// answers from it, so a page loaded once opens and trains with no network. scripts/offline.mjs
// writes BUILD and FILES into the copy in dist/ after each build.
//
// A newer build installs beside the old one and waits: the page offers "reload to update"
// (crates/notebook/src/browser/offline.rs) and posts "update" when the reader takes it. Only
// then does the new cache serve and the old one go, so a page never mixes two builds' files.
const BUILD = "__BUILD__";
const FILES = __FILES__;
const CACHE = `grokscope-${BUILD}`;
const PAGE = new URL("./", self.location).href;

self.addEventListener("install", (event) => {
  // `reload`: from the server, never from the HTTP cache, which may hold an older build's files.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith("grokscope-") && key !== CACHE) await caches.delete(key);
      // The first build controls the page that installed it at once; later ones get here only
      // after "update".
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Every address of the page (`?lesson=…`, `?bench`, `#v1.…` links) is the one cached page.
  const page = request.mode === "navigate" && (url.href.split(/[?#]/)[0] === PAGE || url.pathname.endsWith("/index.html"));
  event.respondWith(
    (async () => {
      const cached = await caches.match(page ? PAGE : request, { cacheName: CACHE, ignoreSearch: true });
      return cached ?? fetch(request);
    })(),
  );
});

// trunk's post-build hook. trunk starts the hooks of one stage at once; these two must run in
// order, since the service worker's version digests the page that csp.mjs writes.
await import("./csp.mjs");
await import("./offline.mjs");

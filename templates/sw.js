/* Service worker: keeps the site available offline at the venue. A first visit stores the shell
   (assets, home, the program, My schedule, search), and the whole site where it fits a byte budget
   (generator/render/offline.py): a small event whole, a big one its shell; every page read is kept
   as it is read. The cache is named after the build, so a new build replaces the old cache as soon
   as the new worker activates. */
"use strict";
const CACHE = "symposium-{{ version }}";
const PRECACHE = {{ precache|tojson }};
/* Whether the search index fits the first visit's budget; else its files are kept as searches read them. */
const SEARCH_INDEX = {{ search|tojson }};

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(PRECACHE);
  if (!SEARCH_INDEX) return;
  try {
    await cacheIndex(cache, "pagefind/");
    /* After edits, a delta index beside the base (generator/search.py): keep it and its stale list too. */
    const delta = await fetch("pagefind/delta.json");
    if (delta.ok) {
      const info = await delta.clone().json();
      await cache.put("pagefind/delta.json", delta);
      if (info.index) await cacheIndex(cache, info.index);
    }
  } catch (error) {
    /* built without search: nothing more to keep */
  }
}

/** Keep one search index's files, as its files.json lists them. */
async function cacheIndex(cache, folder) {
  const list = await fetch(folder + "files.json");
  if (list.ok) await cache.addAll((await list.json()).map((name) => folder + name));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("symposium-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/* Cache first (the venue's network is slow), refreshed in the background when online. */
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(request, { ignoreSearch: true });
    const network = fetch(request).then((response) => {
      if (response.ok && response.type === "basic") cache.put(request, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(network.catch(() => undefined));
      return cached;
    }
    try {
      return await network;
    } catch (error) {
      return (await cache.match("404.html")) || Response.error();
    }
  })());
});

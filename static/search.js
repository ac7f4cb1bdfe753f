/* Search (Pagefind's JS API; it needs http(s)): loaded by search.html only, beside app.js.
   Without it, or opened from disk, the page's own lists stay. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  /* The index is a base (pagefind/) plus, after edits, a small delta (pagefind-delta/) of the pages
     changed since the base was built; pagefind/delta.json names the delta and the base's stale pages
     (generator/search.py). Both are searched; the base's results for stale pages are dropped. */

  var RESULTS = 20;

  /** One Pagefind index: its own module instance, reading the files beside its pagefind.js. */
  function loadIndex(siteRoot, folder) {
    return import(new URL(folder + "pagefind.js", siteRoot).href).then(function (pagefind) {
      return pagefind.options({ baseUrl: siteRoot.pathname }).then(function () { return pagefind; });
    });
  }

  /** The base index, the delta index (or null) and the base's stale pages as a set. */
  function loadEngine(siteRoot) {
    var info = fetch(new URL("pagefind/delta.json", siteRoot).href)
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; });
    return Promise.all([loadIndex(siteRoot, "pagefind/"), info]).then(function (both) {
      var stale = {};
      (both[1].stale || []).forEach(function (path) { stale[path] = true; });
      var delta = both[1].index ? loadIndex(siteRoot, both[1].index) : Promise.resolve(null);
      return delta.then(function (second) { return { base: both[0], delta: second, stale: stale }; });
    });
  }

  /** A result's page as a path within the site ("talks/x.html"), the way delta.json lists them. */
  function sitePath(url, siteRoot) {
    var path = new URL(url, siteRoot).pathname;
    if (path.indexOf(siteRoot.pathname) === 0) path = path.slice(siteRoot.pathname.length);
    try { path = decodeURI(path); } catch (e) { /* keep it encoded */ }
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  /** The best `limit` results whose pages are not stale, with their data, loaded a batch at a time. */
  function freshResults(results, stale, siteRoot, limit) {
    var kept = [];
    function from(start) {
      var batch = results.slice(start, start + limit);
      if (!batch.length || kept.length >= limit) return Promise.resolve(kept.slice(0, limit));
      return Promise.all(batch.map(function (r) {
        return r.data().then(function (page) { return { score: r.score, page: page }; });
      })).then(function (loaded) {
        loaded.forEach(function (item) { if (!stale[sitePath(item.page.url, siteRoot)]) kept.push(item); });
        return from(start + limit);
      });
    }
    return from(0);
  }

  /** Search the base and the delta; fresh results of both, best score first. */
  function searchAll(engine, text, siteRoot) {
    var indexes = engine.delta ? [engine.base, engine.delta] : [engine.base];
    return Promise.all(indexes.map(function (index) { return index.search(text); })).then(function (found) {
      return Promise.all(found.map(function (result, i) {
        return freshResults(result.results, i === 0 ? engine.stale : {}, siteRoot, RESULTS);
      }));
    }).then(function (lists) {
      var merged = [].concat.apply([], lists);
      merged.sort(function (a, b) { return b.score - a.score; });
      return merged.slice(0, RESULTS).map(function (item) { return item.page; });
    });
  }

  function search() {
    var results = document.getElementById("search-results");
    if (!results) return;
    var input = document.getElementById("search-q");
    var status = document.querySelector(".search-status");
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    if (!/^https?:$/.test(location.protocol)) return;  // file://: the static lists below stay
    var siteRoot = new URL(root || "./", location.href);
    var engine = loadEngine(siteRoot);
    var counter = 0;
    function run(text) {
      var mine = ++counter;
      if (!text.trim()) { results.replaceChildren(); status.textContent = ""; return; }
      engine.then(function (loaded) { return searchAll(loaded, text, siteRoot); }).then(function (pages) {
        if (mine !== counter) return;
        status.textContent = pages.length ? pages.length + (pages.length === 1 ? " result" : " results") + " for “" + text + "”" : "Nothing found for “" + text + "”.";
        results.replaceChildren.apply(results, pages.map(function (page) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = page.url;
          a.textContent = page.meta.title || page.url;
          var p = document.createElement("p");
          p.innerHTML = page.excerpt;  // Pagefind's excerpt of our own pages, with <mark>
          li.append(a, p);
          return li;
        }));
        document.getElementById("search-fallback").hidden = true;
      }).catch(function () {
        status.textContent = "Search is not available here; every talk and speaker is listed below.";
      });
    }
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 150);
    });
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
      run(input.value);
    });
    if (query) run(query);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", search); else search();
})();

/* The site's only script: now/next, stars and My schedule, room/track filters, search,
   and the offline service worker. Every page is complete without it. */
(function () {
  "use strict";
  var doc = document.documentElement;
  doc.classList.remove("no-js");
  doc.classList.add("js");
  var root = doc.getAttribute("data-root") || "";
  var zone = doc.getAttribute("data-zone") || "UTC";
  var STARS = "symposium:" + (doc.getAttribute("data-event") || "") + ":stars";

  /* ---- the clock, in the event's time zone ---------------------------------------------- */

  /** Offset (ms) of the event's zone from UTC at an instant, via Intl (no library needed). */
  function zoneOffset(ms) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit"
    }).formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    var wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
    return wall - Math.floor(ms / 1000) * 1000;
  }

  /** "2026-05-07T10:55" read as a wall-clock time in the event's zone -> an instant (ms). */
  function eventLocal(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text || "");
    if (!m) return null;
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var guess = wall - zoneOffset(wall);
    return wall - zoneOffset(guess);
  }

  var pinned = eventLocal(new URLSearchParams(location.search).get("now"));
  function now() { return pinned === null ? Date.now() : pinned; }

  /** The items running at instant t, and the items that start next after t. */
  function nowNext(items, t) {
    var current = items.filter(function (i) { return i.start <= t && t < i.until; });
    var later = items.filter(function (i) { return i.start > t; });
    var first = Math.min.apply(null, later.map(function (i) { return i.start; }));
    return { current: current, next: later.filter(function (i) { return i.start === first; }) };
  }

  /* ---- program page: mark now and next ------------------------------------------------- */

  function markProgram(first) {
    var slots = Array.prototype.map.call(document.querySelectorAll(".slot[data-start]"), function (el) {
      return { el: el, start: Date.parse(el.getAttribute("data-start")), until: Date.parse(el.getAttribute("data-until")) };
    });
    if (!slots.length) return;
    var state = nowNext(slots, now());
    slots.forEach(function (s) {
      s.el.classList.remove("is-now", "is-next");
      var badge = s.el.querySelector(".live-badge");
      if (badge) badge.remove();
    });
    function mark(list, cls, text) {
      list.forEach(function (s) {
        s.el.classList.add(cls);
        var badge = document.createElement("span");
        badge.className = "live-badge " + cls;
        badge.textContent = text;
        var when = s.el.querySelector(".slot-when");
        (when || s.el).prepend(badge);
      });
    }
    mark(state.current, "is-now", "Now");
    mark(state.next, "is-next", "Next");
    var jump = document.querySelector(".jump-now");
    var target = state.current[0] || state.next[0];
    if (jump && target) {
      jump.hidden = false;
      jump.classList.toggle("is-next", !state.current.length);
      jump.querySelector("a").setAttribute("href", "#" + target.el.id);
      // a phone shows "Now" to leave room for the days; "Jump to now" is still what a screen reader says
      var word = state.current.length ? "now" : "next";
      var full = document.createElement("span");
      full.className = "jump-full";
      full.textContent = "Jump to " + word;
      var short = document.createElement("span");
      short.className = "jump-short";
      short.setAttribute("aria-hidden", "true");
      short.textContent = word.charAt(0).toUpperCase() + word.slice(1);
      jump.querySelector("a").replaceChildren(full, short);
    }
    // program.html?now=... (or #now) opens at the running slot, or the next one
    var asked = pinned !== null && !location.hash || location.hash === "#now";
    if (first && target && asked) {
      target.el.scrollIntoView({ block: "start", behavior: "instant" });
      var day = target.el.closest("section.day");
      var tab = day && document.querySelector('.day-tabs a[href="#' + day.id + '"]');
      if (tab) tab.parentNode.parentNode.scrollLeft = tab.offsetLeft - tab.parentNode.parentNode.offsetLeft;
    }
  }

  /* ---- layout: the sticky header's real height, and strips that scroll sideways ------------ */

  /** --header-h is the sticky header's height as laid out (the nav wraps to more rows on narrow screens);
      0 where the header is not sticky (phones), so sticky day tabs and scroll targets sit right below it. */
  function headerHeight() {
    var header = document.querySelector(".site-header");
    if (!header) return;
    function update() {
      var sticky = getComputedStyle(header).position === "sticky";
      doc.style.setProperty("--header-h", sticky ? header.getBoundingClientRect().height + "px" : "0px");
    }
    update();
    window.addEventListener("resize", update);
  }

  /** A strip that scrolls sideways (the day tabs) fades at the edge that hides more. */
  function scrollHints() {
    document.querySelectorAll(".day-tabs ul").forEach(function (strip) {
      function update() {
        var more = strip.scrollWidth - strip.clientWidth - strip.scrollLeft > 1;
        strip.classList.toggle("more-after", more);
        strip.classList.toggle("more-before", strip.scrollLeft > 1);
      }
      update();
      strip.addEventListener("scroll", update, { passive: true });
      window.addEventListener("resize", update);
    });
  }

  /* ---- the embedded schedule (home, my schedule) ---------------------------------------- */

  function scheduleData() {
    var el = document.getElementById("schedule-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function slotLink(slot) {
    var a = document.createElement("a");
    a.href = root + slot.url;
    a.textContent = slot.title;
    return a;
  }

  function describe(slot, label) {
    var li = document.createElement("li");
    var tag = document.createElement("span");
    tag.className = "live-badge " + (label === "Now" ? "is-now" : "is-next");
    tag.textContent = label;
    li.append(tag, " ", slot.time, " ", slotLink(slot));
    var more = [slot.speakers.join(", "), slot.place].filter(Boolean).join(" · ");
    if (more) li.append(" – " + more);
    return li;
  }

  function homeBox() {
    var box = document.getElementById("now-box");
    var data = scheduleData();
    if (!box || !data) return;
    var items = data.slots.map(function (s) {
      return { slot: s, start: Date.parse(s.start), until: Date.parse(s.until) };
    });
    var state = nowNext(items, now());
    var t = now();
    var body = box.querySelector(".now-box-body");
    var list = document.createElement("ul");
    state.current.forEach(function (i) { list.append(describe(i.slot, "Now")); });
    state.next.forEach(function (i) { list.append(describe(i.slot, "Next")); });
    var first = items.length ? items[0].start : 0;
    var last = items.length ? items[items.length - 1].until : 0;
    // Shown only from the day before the event until it ends.
    if (!list.children.length || t < first - 86400000 || t > last) { box.hidden = true; return; }
    body.replaceChildren(list);
    var shown = (state.current[0] || state.next[0]).slot;
    var link = box.querySelector(".jump-link");
    if (link) link.setAttribute("href", root + "program.html" + location.search + "#slot-" + shown.id);
    box.querySelector("h2").textContent = state.current.length ? "Happening now" : "Next up";
    box.hidden = false;
  }

  /* ---- stars and My schedule ------------------------------------------------------------- */

  function readStars() {
    try { return JSON.parse(localStorage.getItem(STARS) || "[]"); } catch (e) { return []; }
  }
  function writeStars(list) {
    try { localStorage.setItem(STARS, JSON.stringify(list)); } catch (e) { /* private mode: stars last this visit */ }
  }
  function showStars() {
    var stars = readStars();
    document.querySelectorAll(".star[data-talk]:not(.unstar)").forEach(function (button) {
      var on = stars.indexOf(button.getAttribute("data-talk")) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.querySelector(".star-label").textContent = on ? "Starred" : "Star";
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".star[data-talk]");
    if (!button) return;
    var id = button.getAttribute("data-talk");
    var stars = readStars();
    var at = stars.indexOf(id);
    if (at >= 0) stars.splice(at, 1); else stars.push(id);
    writeStars(stars);
    showStars();
    mySchedule();
  });

  /** RFC 5545 text: escape \ ; , and newlines, then fold lines at 75 octets with CRLF + space. */
  function icsText(value) {
    return String(value).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
  }
  function fold(line) {
    var bytes = new TextEncoder().encode(line);
    if (bytes.length <= 75) return line;
    var out = [], current = "", size = 0, limit = 75;
    Array.from(line).forEach(function (ch) {
      var n = new TextEncoder().encode(ch).length;
      if (size + n > limit) { out.push(current); current = ""; size = 0; limit = 74; }
      current += ch; size += n;
    });
    out.push(current);
    return out.join("\r\n ");
  }
  function calendar(data, slots) {
    var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//symposium-site//My schedule//EN",
      "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + icsText(data.event + " – my schedule")];
    slots.forEach(function (s) {
      lines.push("BEGIN:VEVENT", "UID:" + s.id + "@" + data.uid_domain, "DTSTAMP:" + data.dtstamp,
        "DTSTART:" + s.ics_start, "DTEND:" + s.ics_end, "SUMMARY:" + icsText(s.title + (s.speakers.length ? " – " + s.speakers.join(", ") : "")));
      if (s.place) lines.push("LOCATION:" + icsText(s.place));
      if (data.base) lines.push("URL:" + data.base + s.url);
      lines.push("END:VEVENT");
    });
    lines.push("END:VCALENDAR");
    return lines.map(fold).join("\r\n") + "\r\n";
  }
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  /** One entry of My schedule, the same for every talk: time, title, speakers, place, and a Remove button. */
  function myItem(s) {
    var li = element("li", "my-item");
    var when = element("p", "my-when");
    var time = element("time", "", s.time);
    time.setAttribute("datetime", s.start);
    when.append(time);
    var body = element("div", "my-body");
    var title = element("p", "my-title");
    title.append(slotLink(s));
    body.append(title);
    if (s.speakers.length) body.append(element("p", "my-speakers", s.speakers.join(", ")));
    if (s.place) body.append(element("p", "my-place", s.place));
    var button = element("button", "star unstar");
    button.type = "button";
    button.setAttribute("data-talk", s.talk);
    button.append(element("span", "", "Remove"), element("span", "visually-hidden", " " + s.title + " from my schedule"));
    li.append(when, body, button);
    return li;
  }

  function mySchedule() {
    var holder = document.getElementById("my-schedule");
    var data = scheduleData();
    if (!holder || !data) return;
    var stars = readStars();
    var chosen = data.slots.filter(function (s) { return s.talk && stars.indexOf(s.talk) >= 0; });
    document.querySelector(".my-schedule-empty").hidden = chosen.length > 0;
    document.querySelector(".my-schedule-actions").hidden = chosen.length === 0;
    holder.replaceChildren();
    var day = null, list = null;
    chosen.forEach(function (s) {
      if (s.day !== day) {
        day = s.day;
        var h = document.createElement("h2");
        h.textContent = day;
        list = document.createElement("ul");
        list.className = "my-list";
        holder.append(h, list);
      }
      list.append(myItem(s));
    });
    var link = document.getElementById("my-ics");
    if (link) {
      if (link.href.indexOf("blob:") === 0) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([calendar(data, chosen)], { type: "text/calendar" }));
    }
    showStars();
  }

  /* ---- room and track filters (multi-room programs) ------------------------------------ */

  function filters() {
    var box = document.querySelector(".filters");
    if (!box) return;
    box.hidden = false;
    function apply() {
      var rooms = {}, tracks = {};
      box.querySelectorAll("input[name=room]").forEach(function (i) { rooms[i.value] = i.checked; });
      box.querySelectorAll("input[name=track]").forEach(function (i) { tracks[i.value] = i.checked; });
      document.querySelectorAll(".slot[data-start]").forEach(function (el) {
        var room = el.getAttribute("data-room"), track = el.getAttribute("data-track");
        el.hidden = (room !== null && rooms[room] === false) || (track !== null && tracks[track] === false);
      });
      document.querySelectorAll(".room-head[data-room]").forEach(function (el) {
        el.classList.toggle("is-filtered", rooms[el.getAttribute("data-room")] === false);
      });
    }
    box.addEventListener("change", apply);
    apply();
  }

  /* ---- search (Pagefind's JS API; it needs http(s)) ------------------------------------- */

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

  /* ---- offline: the service worker, over http(s) only ---------------------------------- */

  function serviceWorker() {
    if ("serviceWorker" in navigator && /^https?:$/.test(location.protocol)) {
      navigator.serviceWorker.register(root + "sw.js").catch(function () { /* offline use is a bonus */ });
    }
  }

  function start() {
    showStars();
    headerHeight();
    scrollHints();
    markProgram(true);
    homeBox();
    mySchedule();
    filters();
    search();
    serviceWorker();
    if (pinned === null) setInterval(function () { markProgram(); homeBox(); }, 60000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

/* The site's script: now/next, stars and My schedule, room/track filters and the offline service
   worker (search.html adds search.js). Every page is complete without it. */
(function () {
  "use strict";
  var doc = document.documentElement;
  doc.classList.remove("no-js");
  doc.classList.add("js");
  var root = doc.getAttribute("data-root") || "";
  var zone = doc.getAttribute("data-zone") || "UTC";
  // Stars are kept per event, under its name: the page's og:site_name (the same text on every page).
  var siteName = document.querySelector('meta[property="og:site_name"]');
  var STARS = "symposium:" + (siteName ? siteName.getAttribute("content") : "") + ":stars";

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

  /* ---- program pages: mark now and next ------------------------------------------------ */

  /** The days this page links to (day strip, overview): date, link, and when each runs. */
  function dayLinks() {
    var seen = {};
    return Array.prototype.filter.call(document.querySelectorAll("a[data-day][data-start]"), function (a) {
      var date = a.getAttribute("data-day");
      return seen[date] ? false : (seen[date] = true);
    }).map(function (a) {
      return { a: a, date: a.getAttribute("data-day"), start: Date.parse(a.getAttribute("data-start")),
               until: Date.parse(a.getAttribute("data-until")) };
    });
  }

  /** The day running at t, else the next one to start; null once the event is over. */
  function dayAt(days, t) {
    return days.filter(function (d) { return d.start <= t && t < d.until; })[0] ||
      days.filter(function (d) { return d.start > t; })[0] || null;
  }

  /** Mark the slots running now and next on this page, and point "Jump to now" at them: on this page,
      or (a program split into a page per day) at the day page that has them. */
  function markProgram(first) {
    var jump = document.querySelector(".jump-now");
    if (!jump) return;
    var slots = Array.prototype.map.call(document.querySelectorAll(".slot[data-start]"), function (el) {
      return { el: el, start: Date.parse(el.getAttribute("data-start")), until: Date.parse(el.getAttribute("data-until")) };
    });
    var t = now();
    var day = dayAt(dayLinks(), t);
    var here = day && document.getElementById("day-" + day.date);  // that day is shown on this page
    var state = nowNext(slots, t);
    if (day && !here) state.next = [];  // the next slot is on another day's page
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
    var target = state.current[0] || state.next[0];
    var elsewhere = !target && day && !here ? day.a.getAttribute("href").split("#")[0] + location.search + "#now" : null;
    if (!target && !elsewhere) { jump.hidden = true; return; }
    var running = state.current.length > 0 || (!target && day.start <= t);
    jump.hidden = false;
    jump.classList.toggle("is-next", !running);
    jump.querySelector("a").setAttribute("href", target ? "#" + target.el.id : elsewhere);
    // a phone shows "Now" to leave room for the days; "Jump to now" is still what a screen reader says
    var word = running ? "now" : "next";
    var full = document.createElement("span");
    full.className = "jump-full";
    full.textContent = "Jump to " + word;
    var short = document.createElement("span");
    short.className = "jump-short";
    short.setAttribute("aria-hidden", "true");
    short.textContent = word.charAt(0).toUpperCase() + word.slice(1);
    jump.querySelector("a").replaceChildren(full, short);
    // program.html?now=... (or #now) opens at the running slot, or the next one: on its day's page
    var asked = pinned !== null && !location.hash || location.hash === "#now";
    if (!first || !asked) return;
    if (target) {
      target.el.scrollIntoView({ block: "start", behavior: "instant" });
      var section = target.el.closest("section.day");
      if (section) showDayTab(section.id.slice(4));
    } else if (elsewhere && (!slots.length || location.hash === "#now")) {
      location.replace(elsewhere);
    }
  }

  /** The day strip scrolls sideways to show the day on screen (the running one, or this page's). */
  function showDayTab(date) {
    var tab = document.querySelector('.day-tabs a[data-day="' + date + '"]');
    if (!tab) return;
    var strip = tab.parentNode.parentNode;
    strip.scrollLeft = tab.offsetLeft - strip.offsetLeft - (strip.clientWidth - tab.offsetWidth) / 2;
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

  /* ---- the schedule data (home, my schedule) -------------------------------------------- */

  /* Home and My schedule embed a small index (the calendar's identity and the days); each day's slots
     are in schedule-data/<date>.js, loaded when needed (and kept by the service worker once read). */
  var scheduleIndex = (function () {
    var index;
    return function () {
      if (index === undefined) {
        var el = document.getElementById("schedule-index");
        index = el ? JSON.parse(el.textContent) : null;
      }
      return index;
    };
  })();

  var dayFiles = {}, dayWaiters = {};
  /* Each day's file is a script that hands its data here (a script loads from file:// too; fetch does not). */
  window.symposiumScheduleDay = function (data) {
    if (dayWaiters[data.date]) dayWaiters[data.date](data);
  };
  /** One day's slots (a promise), each knowing its day; read once per page, again after a failure. */
  function daySlots(day) {
    if (!dayFiles[day.date]) {
      dayFiles[day.date] = new Promise(function (resolve, reject) {
        dayWaiters[day.date] = resolve;
        var script = document.createElement("script");
        script.src = root + day.data;
        script.onload = function () { script.remove(); };
        script.onerror = function () { script.remove(); delete dayFiles[day.date]; reject(new Error(day.data)); };
        document.head.append(script);
      }).then(function (data) {
        data.slots.forEach(function (s, i) { s.day = data.day; s.date = data.date; s.page = day.page; s.rank = i; });
        return data.slots;
      });
    }
    return dayFiles[day.date];
  }
  /** The slots of several days, in the days' order. */
  function slotsOf(days) {
    return Promise.all(days.map(daySlots)).then(function (lists) { return [].concat.apply([], lists); });
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

  /** Home's "Happening now" box: from the day before the event until it ends, the slots running now and
      those next, read from the days that can hold them (today's, and the next day to start). */
  function homeBox() {
    var box = document.getElementById("now-box");
    var index = scheduleIndex();
    if (!box || !index) return;
    var t = now();
    var days = index.days.filter(function (d) { return d.start; }).map(function (d) {
      return { day: d, start: Date.parse(d.start), until: Date.parse(d.until) };
    });
    var last = Math.max.apply(null, days.map(function (d) { return d.until; }));
    // Shown only from the day before the event until it ends.
    if (!days.length || t < days[0].start - 86400000 || t > last) { box.hidden = true; return; }
    var wanted = days.filter(function (d) { return d.start <= t && t < d.until; });
    var upcoming = days.filter(function (d) { return d.start > t; })[0];
    if (upcoming) wanted.push(upcoming);
    slotsOf(wanted.map(function (d) { return d.day; })).then(function (slots) {
      var items = slots.map(function (s) {
        return { slot: s, start: Date.parse(s.start), until: Date.parse(s.until) };
      });
      var state = nowNext(items, t);
      var list = document.createElement("ul");
      state.current.forEach(function (i) { list.append(describe(i.slot, "Now")); });
      state.next.forEach(function (i) { list.append(describe(i.slot, "Next")); });
      if (!list.children.length) { box.hidden = true; return; }
      box.querySelector(".now-box-body").replaceChildren(list);
      var shown = (state.current[0] || state.next[0]).slot;
      var link = box.querySelector(".jump-link");
      if (link) link.setAttribute("href", root + shown.page + location.search + "#slot-" + shown.id);
      box.querySelector("h2").textContent = state.current.length ? "Happening now" : "Next up";
      box.hidden = false;
    }).catch(function () { box.hidden = true; });  // offline and never read: the box stays hidden
  }

  /* ---- stars and My schedule ------------------------------------------------------------- */

  function readStars() {
    try { return JSON.parse(localStorage.getItem(STARS) || "[]"); } catch (e) { return []; }
  }
  function writeStars(list) {
    try { localStorage.setItem(STARS, JSON.stringify(list)); } catch (e) { /* private mode: stars last this visit */ }
  }
  /** Each starred talk's day ({talk: "2026-05-07"}), so My schedule reads only the days it needs. */
  function readStarDays() {
    try { return JSON.parse(localStorage.getItem(STARS + ":days") || "{}") || {}; } catch (e) { return {}; }
  }
  function writeStarDays(days) {
    try { localStorage.setItem(STARS + ":days", JSON.stringify(days)); } catch (e) { /* as above */ }
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
    var days = readStarDays();
    if (at >= 0) delete days[id]; else if (button.getAttribute("data-day")) days[id] = button.getAttribute("data-day");
    writeStarDays(days);
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

  /** The starred talks' slots: from the days the stars name, then (stars kept before days were) from the
      other days in turn until every star is found. */
  function starredSlots(index, stars) {
    var known = readStarDays();
    var byDate = {};
    index.days.forEach(function (d) { byDate[d.date] = d; });
    var first = index.days.filter(function (d) {
      return stars.some(function (id) { return known[id] === d.date; });
    });
    var rest = index.days.filter(function (d) { return first.indexOf(d) < 0; });
    function missing(slots) {
      return stars.filter(function (id) { return !slots.some(function (s) { return s.talk === id; }); });
    }
    function more(slots) {
      if (!rest.length || !missing(slots).length) return slots;
      return daySlots(rest.shift()).then(function (found) { return more(slots.concat(found)); });
    }
    return slotsOf(first).then(more).then(function (slots) {
      var chosen = slots.filter(function (s) { return s.talk && stars.indexOf(s.talk) >= 0; });
      chosen.forEach(function (s) { if (!known[s.talk]) known[s.talk] = s.date; });
      writeStarDays(known);
      // in the program's order: by day, then as the day lists them
      return chosen.sort(function (a, b) { return index.days.indexOf(byDate[a.date]) - index.days.indexOf(byDate[b.date]) || a.rank - b.rank; });
    });
  }

  var myRun = 0;
  function mySchedule() {
    var holder = document.getElementById("my-schedule");
    var index = scheduleIndex();
    if (!holder || !index) return;
    var stars = readStars();
    var mine = ++myRun;
    (stars.length ? starredSlots(index, stars) : Promise.resolve([])).then(function (chosen) {
      if (mine === myRun) showMySchedule(holder, index, chosen);
    }).catch(function () {
      holder.replaceChildren(element("p", "notice", "My schedule could not be read (offline?). Try again when online."));
    });
  }

  function showMySchedule(holder, data, chosen) {
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

  /* ---- offline: the service worker, over http(s) only ---------------------------------- */

  function serviceWorker() {
    if ("serviceWorker" in navigator && /^https?:$/.test(location.protocol)) {
      navigator.serviceWorker.register(root + "sw.js").catch(function () { /* offline use is a bonus */ });
    }
  }

  function start() {
    showStars();
    headerHeight();
    var shown = document.querySelector('.day-tabs a[aria-current="page"]');
    if (shown) showDayTab(shown.getAttribute("data-day"));
    scrollHints();
    markProgram(true);
    homeBox();
    mySchedule();
    filters();
    serviceWorker();
    if (pinned === null) setInterval(function () { markProgram(); homeBox(); }, 60000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

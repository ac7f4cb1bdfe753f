/* Live figures: choose a run (learning rate) and read the values at any step, with the
   pointer, a finger or the arrow keys. Progressive enhancement: the charts are drawn when
   the site is built and are complete without this script, which only adds the controls
   and the readout. Values come from figures/<name>.json, fetched when first needed. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function numbers(text) { return (text || "").split(" ").map(Number); }
  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function shape(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  /* ---- a panel's geometry, as svgplot.py wrote it ---------------------------------------- */

  function frameOf(svg) {
    var plot = numbers(svg.getAttribute("data-plot")), x = numbers(svg.getAttribute("data-x")),
      y = numbers(svg.getAttribute("data-y"));
    return { left: plot[0], right: plot[1], top: plot[2], bottom: plot[3], xlo: x[0], xhi: x[1],
      ylo: y[0], yhi: y[1], log: svg.hasAttribute("data-log-y"), width: svg.viewBox.baseVal.width };
  }
  function px(f, v) { return f.left + (v - f.xlo) / ((f.xhi - f.xlo) || 1) * (f.right - f.left); }
  function py(f, v) {
    if (f.log) v = v > 0 ? Math.log10(v) : NaN;
    return f.bottom - (v - f.ylo) / ((f.yhi - f.ylo) || 1) * (f.bottom - f.top);
  }

  function lookup(data, key) {
    return key.split(".").reduce(function (node, part) { return node == null ? node : node[part]; }, data);
  }

  function format(v) {
    if (v == null || !isFinite(v)) return "undefined";
    var a = Math.abs(v), text;
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) text = v.toExponential(3).replace(/e([+-])(\d+)/, function (_, sign, exp) {
      return "×10^" + (sign === "-" ? "−" : "") + exp;
    });
    else text = String(Number(v.toPrecision(4)));
    return text.replace(/^-/, "−");
  }

  /* ---- one figure ------------------------------------------------------------------------ */

  function Figure(section) {
    this.section = section;
    this.name = section.getAttribute("data-figure");
    this.chart = section.querySelector(".figure-chart");
    this.svgs = this.chart.querySelectorAll("svg.chart");
    this.first = Number(this.chart.getAttribute("data-xmin"));
    this.last = Number(this.chart.getAttribute("data-xmax"));
    this.step = null;
    this.loading = null;
    var runs = this.chart.querySelectorAll(".figure-legend li[data-run]");
    if (runs.length > 1) this.addChooser(runs);
    this.addReadout();
  }

  Figure.prototype.addChooser = function (runs) {
    var self = this;
    var box = make("fieldset", "run-chooser");
    box.appendChild(make("legend", "", "Show the run with learning rate"));
    var choices = [["all", "all runs"]];
    each(runs, function (item) { choices.push([item.getAttribute("data-run"), item.textContent]); });
    choices.forEach(function (choice, i) {
      var label = make("label"), input = make("input");
      input.type = "radio";
      input.name = self.name + "-run";
      input.value = choice[0];
      input.checked = i === 0;
      label.appendChild(input);
      label.appendChild(document.createTextNode(choice[1]));
      box.appendChild(label);
    });
    box.addEventListener("change", function (event) { self.choose(event.target.value); });
    this.chart.insertBefore(box, this.chart.firstChild);
  };

  /** Show one run's lines, its 2/η line and its legend entry, or all of them ("all"). */
  Figure.prototype.choose = function (run) {
    each(this.chart.querySelectorAll("[data-run]"), function (node) {
      node.classList.toggle("is-off", run !== "all" && node.getAttribute("data-run") !== run);
    });
    this.chart.setAttribute("data-showing", run);
    if (this.step !== null) this.show(this.step);
  };

  Figure.prototype.addReadout = function () {
    var self = this, id = "figure-" + this.name + "-step";
    var box = make("div", "figure-readout");
    var label = make("label", "", "Read the values at step");
    label.htmlFor = id;
    var slider = make("input");
    slider.type = "range";
    slider.id = id;
    slider.min = this.first;
    slider.max = this.last;
    slider.step = 1;
    slider.value = this.first;
    var output = make("output", "", "Move across a chart, or use this slider, to read the values at each step.");
    output.htmlFor = id;
    output.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(slider);
    box.appendChild(output);
    this.chart.appendChild(box);
    this.slider = slider;
    this.output = output;
    slider.addEventListener("input", function () { self.show(Number(slider.value)); });
    each(this.svgs, function (svg) {
      svg.addEventListener("pointerdown", function (event) { self.point(svg, event); });
      svg.addEventListener("pointermove", function (event) {
        if (event.pointerType === "mouse" || event.buttons) self.point(svg, event);
      });
    });
  };

  /** The step under the pointer or finger, kept within the run. */
  Figure.prototype.point = function (svg, event) {
    var f = frameOf(svg), box = svg.getBoundingClientRect();
    if (!box.width) return;
    var u = (event.clientX - box.left) * f.width / box.width;
    var step = Math.round(f.xlo + (u - f.left) / (f.right - f.left) * (f.xhi - f.xlo));
    step = Math.max(this.first, Math.min(this.last, step));
    if (step === this.step) return;
    this.slider.value = step;
    this.show(step);
  };

  Figure.prototype.data = function () {
    if (!this.loading) {
      this.loading = fetch(this.section.getAttribute("data-data")).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
    }
    return this.loading;
  };

  Figure.prototype.show = function (step) {
    var self = this;
    this.step = step;
    this.data().then(function (data) {
      if (self.step === step) self.draw(data, step);
    }, function () {
      self.output.textContent = "The values could not be loaded here; they are in the CSV and JSON files below.";
    });
  };

  /** A cursor across every panel at ``step``, a dot on each line shown, and the values in words. */
  Figure.prototype.draw = function (data, step) {
    var index = step - (data.step ? data.step[0] : 0);
    var lines = [make("strong", "readout-step", "Step " + step)];
    each(this.svgs, function (svg) {
      var f = frameOf(svg), x = px(f, step);
      var layer = svg.querySelector(".cursor");
      if (!layer) {
        layer = shape("g", { "class": "cursor", "aria-hidden": "true" });
        svg.appendChild(layer);
      }
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      layer.appendChild(shape("path", { d: "M" + x.toFixed(1) + " " + f.top + "V" + f.bottom, "class": "cursor-line" }));
      var values = [];
      each(svg.querySelectorAll("path.series[data-key]"), function (path) {
        if (path.classList.contains("is-off")) return;
        var v = (lookup(data, path.getAttribute("data-key")) || [])[index];
        if (v != null && path.hasAttribute("data-abs")) v = Math.abs(v);
        var y = v == null ? NaN : py(f, v);
        if (isFinite(y) && y >= f.top - 1 && y <= f.bottom + 1) {
          layer.appendChild(shape("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, "class": "marker",
            style: "fill: var(--fig-" + path.getAttribute("data-style") + ")" }));
        }
        if (v != null) values.push(path.getAttribute("data-label") + ": " + format(v));
      });
      each(svg.querySelectorAll(".reference-label:not(.is-off)"), function (label) {
        values.push("dashed line at " + label.textContent);
      });
      var heading = svg.parentNode.querySelector(".panel-heading");
      var line = make("span", "readout-panel");
      line.appendChild(make("span", "readout-heading", (heading ? heading.textContent : "") + ": "));
      line.appendChild(document.createTextNode(values.length ? values.join("; ") + "." : "no value at this step."));
      lines.push(line);
    });
    this.output.textContent = "";
    lines.forEach(function (line) { this.output.appendChild(line); }, this);
  };

  each(document.querySelectorAll("[data-figure]"), function (section) {
    if (section.querySelector(".figure-chart svg.chart")) new Figure(section);
  });
})();

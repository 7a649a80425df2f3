/* govtopics topic explorer: draws the page from the JSON in #govtopics-data (written by govtopics.explorer).
   Topics on a 2-D map (PCoA of Jensen-Shannon divergences, as LDAvis), terms by relevance with a
   lambda slider (Sievert & Shirley 2014), prevalence by year with intervals, representative passages.
   Report text is only ever set with textContent, never parsed as markup. No network, no library. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("govtopics-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var state = { topic: 0, lambda: data.lambda, scope: "all" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function sv(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function pct(x, digits) { return (100 * x).toFixed(digits === undefined ? 1 : digits) + "%"; }

  /* -- page skeleton ------------------------------------------------------------------------- */
  var app = document.getElementById("app");
  var header = el("header");
  header.appendChild(el("h1", {}, data.title));
  header.appendChild(el("p", { "class": "muted small", id: "summary" }, data.summary));
  app.appendChild(header);
  var main = el("main");
  var aside = el("aside");
  var detail = el("section", { id: "detail", "aria-live": "polite" });
  main.appendChild(aside);
  main.appendChild(detail);
  app.appendChild(main);

  /* -- the map -------------------------------------------------------------------------------- */
  var W = 360, H = 320, PAD = 14;
  var map = sv("svg", { id: "map", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Intertopic distance map" });
  var maxShare = Math.max.apply(null, data.topics.map(function (t) { return t.share; }).concat([1e-9]));
  // The largest circle: about a tenth of the map for ten topics or fewer, smaller beyond.
  var RMAX = Math.min(W, H) * 0.1 * Math.min(1, Math.sqrt(10 / data.topics.length));
  function radius(t) { return Math.max(5, RMAX * Math.sqrt(t.share / maxShare)); }
  var xs = data.topics.map(function (t) { return t.x; }), ys = data.topics.map(function (t) { return t.y; });
  var span = Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs),
                      Math.max.apply(null, ys) - Math.min.apply(null, ys), 1e-9);
  var cx0 = (Math.max.apply(null, xs) + Math.min.apply(null, xs)) / 2;
  var cy0 = (Math.max.apply(null, ys) + Math.min.apply(null, ys)) / 2;
  var scale = (Math.min(W, H) - 2 * PAD - 2 * RMAX) / span;
  function px(t) { return W / 2 + (t.x - cx0) * scale; }
  function py(t) { return H / 2 - (t.y - cy0) * scale; }
  map.appendChild(sv("line", { "class": "axis", x1: 0, y1: H / 2, x2: W, y2: H / 2 }));
  map.appendChild(sv("line", { "class": "axis", x1: W / 2, y1: 0, x2: W / 2, y2: H }));
  map.appendChild(sv("text", { "class": "axis-label", x: W - 4, y: H / 2 - 4, "text-anchor": "end" }, "PC1"));
  map.appendChild(sv("text", { "class": "axis-label", x: W / 2 + 4, y: 12 }, "PC2"));
  var dots = [];
  data.topics.slice().sort(function (a, b) { return b.share - a.share || a.id - b.id; }).forEach(function (t) {
    var dot = sv("circle", { "class": "dot", cx: px(t).toFixed(2), cy: py(t).toFixed(2), r: radius(t).toFixed(2),
                             "data-topic": t.id });
    dot.appendChild(sv("title", {}, "topic " + t.id + " · " + t.label + " · " + pct(t.share)));
    dot.addEventListener("click", function () { select(t.id); });
    dots[t.id] = dot;
    map.appendChild(dot);
  });
  // Numbers above every circle, so an overlapped topic stays named; a number that would sit on
  // another is moved down until it is clear of those already placed.
  var placed = [];
  data.topics.forEach(function (t) {
    var x = px(t), y = py(t);
    while (placed.some(function (p) { return Math.abs(p[0] - x) < 14 && Math.abs(p[1] - y) < 12; })) y += 12;
    placed.push([x, y]);
    map.appendChild(sv("text", { "class": "dot-label", x: x.toFixed(2), y: y.toFixed(2) }, t.id));
  });
  aside.appendChild(map);
  aside.appendChild(el("p", { "class": "muted small" },
    "Circles: topics, placed by how different their words are (Jensen-Shannon divergence, " +
    "classical scaling); area: share of all tokens."));

  /* -- the topic list: one entry per topic ------------------------------------------------------ */
  var list = el("ol", { id: "topic-list" });
  var buttons = [];
  data.topics.forEach(function (t) {
    var item = el("li");
    var button = el("button", { type: "button", "class": "topic", "data-topic": t.id, "aria-pressed": "false" });
    button.appendChild(el("span", { "class": "num" }, t.id));
    button.appendChild(el("span", { "class": "label" }, t.label));
    button.appendChild(el("span", { "class": "share" }, pct(t.share)));
    button.addEventListener("click", function () { select(t.id); });
    buttons[t.id] = button;
    item.appendChild(button);
    list.appendChild(item);
  });
  aside.appendChild(list);

  /* -- the selected topic ------------------------------------------------------------------------ */
  var title = el("h2", { id: "topic-title" });
  var share = el("p", { "class": "muted small", id: "topic-share" });
  detail.appendChild(title);
  detail.appendChild(share);

  detail.appendChild(el("h3", {}, "Terms"));
  var sliderRow = el("div", { "class": "lambda" });
  var sliderLabel = el("label", { "for": "lambda" });
  var slider = el("input", { id: "lambda", type: "range", min: 0, max: 1, step: 0.01, value: data.lambda });
  sliderRow.appendChild(sliderLabel);
  sliderRow.appendChild(slider);
  sliderRow.appendChild(el("span", { "class": "muted small" },
    "relevance = λ·log p(w|topic) + (1−λ)·log [p(w|topic) / p(w)]; λ = 1 ranks by probability, λ = 0 by lift"));
  detail.appendChild(sliderRow);
  var terms = el("ol", { id: "terms" });
  detail.appendChild(terms);
  detail.appendChild(el("p", { "class": "muted small" },
    "Grey bar: the term's share of all tokens; coloured bar: the part of it the model gives to this topic. " +
    "Number: p(w|topic)."));

  detail.appendChild(el("h3", {}, "Prevalence by year"));
  var chart = sv("svg", { id: "prevalence", viewBox: "0 0 520 210", role: "img", "aria-label": "Prevalence by year" });
  detail.appendChild(chart);
  var chartNote = el("p", { "class": "muted small", id: "prevalence-note" }, data.prevalence_note);
  detail.appendChild(chartNote);

  detail.appendChild(el("h3", {}, "Representative passages"));
  var scopeRow = el("div", { "class": "small" });
  var scopeLabel = el("label", { "for": "passage-scope" }, "Most representative in ");
  var scope = el("select", { id: "passage-scope" });
  scope.appendChild(el("option", { value: "all" }, "all years"));
  data.years.forEach(function (y) { scope.appendChild(el("option", { value: String(y) }, String(y))); });
  scopeRow.appendChild(scopeLabel);
  scopeRow.appendChild(scope);
  detail.appendChild(scopeRow);
  var passages = el("ol", { id: "passages" });
  detail.appendChild(passages);

  slider.addEventListener("input", function () { state.lambda = Number(slider.value); drawTerms(); });
  scope.addEventListener("change", function () { state.scope = scope.value; drawPassages(); });

  /* -- drawing ------------------------------------------------------------------------------------ */
  function relevanceOrder(topic, lambda) {
    return topic.terms.map(function (term, index) {
      var phi = term[1], pw = data.pw[term[0]];
      return { word: data.vocab[term[0]], phi: phi, pw: pw, index: index,
               score: lambda * Math.log(phi) + (1 - lambda) * Math.log(phi / pw) };
    }).sort(function (a, b) { return b.score - a.score || a.index - b.index; }).slice(0, data.n_terms);
  }

  function drawTerms() {
    var topic = data.topics[state.topic];
    sliderLabel.textContent = "λ = " + state.lambda.toFixed(2);
    clear(terms);
    var shown = relevanceOrder(topic, state.lambda);
    var top = Math.max.apply(null, shown.map(function (t) { return t.pw; }).concat([1e-12]));
    shown.forEach(function (t, rank) {
      var item = el("li", { "class": "term", "data-word": t.word });
      item.appendChild(el("span", { "class": "rank" }, rank + 1));
      item.appendChild(el("span", { "class": "word", title: t.word }, t.word));
      var bar = el("span", { "class": "bar" });
      var all = el("span", { "class": "all" });
      var inTopic = el("span", { "class": "in-topic" });
      all.style.width = (100 * t.pw / top).toFixed(2) + "%";
      inTopic.style.width = (100 * Math.min(topic.share * t.phi, t.pw) / top).toFixed(2) + "%";
      bar.appendChild(all);
      bar.appendChild(inTopic);
      item.appendChild(bar);
      item.appendChild(el("span", { "class": "value" }, t.phi.toFixed(4)));
      terms.appendChild(item);
    });
  }

  function drawPrevalence() {
    var points = data.topics[state.topic].prevalence;
    clear(chart);
    if (!points.length) {
      chart.appendChild(sv("text", { "class": "tick", x: 10, y: 20 }, "no prevalence table"));
      return;
    }
    var L = 48, R = 12, T = 10, B = 40, w = 520 - L - R, h = 210 - T - B;
    var ymax = Math.min(1, Math.max.apply(null, points.map(function (p) { return p.hi === null ? p.p : p.hi; })) * 1.1) || 0.01;
    // Years on a linear scale: a decade without reports is a gap, not one tick.
    var first = points[0].year, last = points[points.length - 1].year, span = Math.max(last - first, 1);
    var pad = points.length > 1 ? w / (2 * (span + 1)) : w / 2;
    function x(year) { return points.length > 1 ? L + pad + (w - 2 * pad) * (year - first) / span : L + w / 2; }
    function y(v) { return T + h - h * v / ymax; }
    [0, 0.5, 1].forEach(function (f) {
      chart.appendChild(sv("line", { "class": "grid-line", x1: L, x2: L + w, y1: y(f * ymax), y2: y(f * ymax) }));
      chart.appendChild(sv("text", { "class": "tick", x: L - 6, y: y(f * ymax) + 3, "text-anchor": "end" },
        pct(f * ymax, ymax < 0.05 ? 1 : 0)));
    });
    // Consecutive years joined by a line, years across a gap by a dotted one.
    points.slice(1).forEach(function (p, i) {
      var q = points[i];
      chart.appendChild(sv("line", { "class": p.year - q.year > 1 ? "trend gap" : "trend",
        x1: x(q.year), y1: y(q.p), x2: x(p.year), y2: y(p.p) }));
    });
    // Reports per year as a strip of small bars (square-root scale) under the axis.
    var nmax = Math.max.apply(null, points.map(function (p) { return p.n; })) || 1;
    var barW = Math.max(1, Math.min(8, (w - 2 * pad) / (span + 1) * 0.8));
    points.forEach(function (p) {
      var bh = 8 * Math.sqrt(p.n / nmax);
      chart.appendChild(sv("rect", { "class": "count-bar", x: x(p.year) - barW / 2, y: T + h + 24 - bh,
        width: barW, height: bh }));
      if (p.lo !== null && p.hi !== null) {
        chart.appendChild(sv("line", { "class": "whisker", x1: x(p.year), x2: x(p.year), y1: y(p.lo), y2: y(p.hi) }));
      }
      var dot = sv("circle", { "class": "point" + (p.few ? " few" : ""), cx: x(p.year), cy: y(p.p), r: 3.5 });
      dot.appendChild(sv("title", {}, p.year + ": " + pct(p.p) +
        (p.lo !== null ? " (interval " + pct(p.lo) + " – " + pct(p.hi) + ")" : "") + ", " + p.n + " report(s)"));
      chart.appendChild(dot);
    });
    var stepYears = [1, 2, 5, 10, 20, 50].filter(function (s) { return span / s <= 8; })[0] || 100;
    for (var year = Math.ceil(first / stepYears) * stepYears; year <= last; year += stepYears) {
      chart.appendChild(sv("text", { "class": "tick", x: x(year), y: T + h + 36, "text-anchor": "middle" }, year));
    }
    chart.appendChild(sv("text", { "class": "tick", x: L - 6, y: T + h + 24, "text-anchor": "end" }, "reports"));
  }

  function drawPassages() {
    clear(passages);
    var shown = data.topics[state.topic].passages.filter(function (p) { return String(p.scope) === state.scope; });
    if (!shown.length) passages.appendChild(el("li", { "class": "muted" }, "no passage"));
    shown.forEach(function (p) {
      var item = el("li", { "class": "passage-item" });
      var meta = [p.doc_id, p.unit, p.year, p.part].filter(function (v) { return v !== null && v !== ""; });
      item.appendChild(el("div", { "class": "meta" },
        meta.join(" · ") + " · unit " + p.unit_index + " · " + pct(p.proportion, 0) + " this topic"));
      if (p.heading) item.appendChild(el("div", { "class": "heading" }, p.heading));
      item.appendChild(el("p", { "class": "passage" }, data.texts[p.text]));
      if (data.texts[p.text].length < p.chars) {
        item.appendChild(el("div", { "class": "meta" }, "(cut: " + p.chars + " characters in all)"));
      }
      passages.appendChild(item);
    });
  }

  function select(id) {
    state.topic = id;
    var topic = data.topics[id];
    title.textContent = "Topic " + topic.id + " · " + topic.label;
    share.textContent = pct(topic.share) + " of all tokens";
    buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", i === id ? "true" : "false"); });
    dots.forEach(function (d, i) { d.setAttribute("class", i === id ? "dot selected" : "dot"); });
    drawTerms();
    drawPrevalence();
    drawPassages();
  }

  select(0);
}());

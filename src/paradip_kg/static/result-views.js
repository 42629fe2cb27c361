/* paradip-kg result views: bar and line charts, a timeline, a map and a graph of a query result,
 * drawn as SVG from the JSON the page carries (#view-data, written by web/query_views.py).
 * The tabs are links (?view=...), so each view has its own URL and works as a permalink; here
 * they switch without reloading. The map's country shapes are world-atlas's countries-110m
 * (static/vendor/, from npm, scripts/assets.sh), read with topojson-client: nothing leaves
 * this server. Every text from the data goes in as textContent. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var drawn = {};
  var script = document.getElementById("result-views-script");

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }
  function titled(node, content) { el("title", {}, node).textContent = content; return node; }
  function svg(width, height, label) {
    var s = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img" });
    s.setAttribute("aria-label", label);
    return s;
  }
  function linked(parent, cell) {
    if (cell && cell.h) { var a = el("a", { href: cell.h }, parent); return a; }
    return parent;
  }
  function column(data, kinds) {
    for (var i = 0; i < data.kinds.length; i++) if (kinds.indexOf(data.kinds[i]) >= 0) return i;
    return -1;
  }
  function when(cell) {
    if (!cell) return null;
    var m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(cell.v));
    return m ? Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1) : null;
  }
  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function say(lang, es, en) { return lang === "en" ? en : es; }

  // label + number: the first label-like column and the first number column, bound in the row.
  function pairs(data) {
    var li = column(data, ["iri", "text", "date"]), ni = column(data, ["number"]);
    var out = [];
    data.rows.forEach(function (r) { if (r[li] && r[ni] && typeof r[ni].v === "number") out.push({ label: r[li], value: r[ni].v }); });
    return { items: out, label: data.vars[li], value: data.vars[ni], dated: data.kinds[li] === "date" };
  }

  function bar(data, box, lang) {
    var p = pairs(data), items = p.items.slice(0, 60);
    var max = Math.max.apply(null, items.map(function (d) { return d.value; }).concat([0]));
    var row = 22, left = 220, width = 900, height = items.length * row + 40;
    var s = svg(width, height, say(lang, "Gráfico de barras: ", "Bar chart: ") + p.value + " / " + p.label);
    items.forEach(function (d, i) {
      var y = 10 + i * row, w = max > 0 ? Math.max(1, (width - left - 80) * d.value / max) : 1;
      var g = linked(s, d.label);
      text(g, left - 8, y + 14, short(d.label.t, 32), { "text-anchor": "end" });
      titled(el("rect", { "class": "bar", x: left, y: y + 2, width: w, height: row - 6 }, s), d.label.t + ": " + d.value);
      text(s, left + w + 6, y + 14, String(d.value), { "class": "tick" });
    });
    text(s, left, height - 8, p.value, { "class": "tick" });
    box.appendChild(s);
  }

  function line(data, box, lang) {
    var p = pairs(data), items = p.items.slice(0, 500);
    if (p.dated) items.sort(function (a, b) { return when(a.label) - when(b.label); });
    var width = 900, height = 360, left = 60, right = 20, top = 20, bottom = 70;
    var max = Math.max.apply(null, items.map(function (d) { return d.value; }).concat([0]));
    var min = Math.min.apply(null, items.map(function (d) { return d.value; }).concat([0]));
    var span = max - min || 1, step = items.length > 1 ? (width - left - right) / (items.length - 1) : 0;
    var s = svg(width, height, say(lang, "Gráfico de líneas: ", "Line chart: ") + p.value + " / " + p.label);
    for (var k = 0; k <= 4; k++) {
      var gy = top + (height - top - bottom) * k / 4;
      el("line", { "class": "grid", x1: left, x2: width - right, y1: gy, y2: gy }, s);
      text(s, left - 6, gy + 4, String(Math.round((max - span * k / 4) * 100) / 100), { "text-anchor": "end", "class": "tick" });
    }
    var pts = items.map(function (d, i) {
      return [left + i * step, top + (height - top - bottom) * (max - d.value) / span];
    });
    el("polyline", { "class": "line", points: pts.map(function (q) { return q.join(","); }).join(" ") }, s);
    var every = Math.max(1, Math.ceil(items.length / 12));
    items.forEach(function (d, i) {
      titled(el("circle", { "class": "point", cx: pts[i][0], cy: pts[i][1], r: 3.5 }, linked(s, d.label)), d.label.t + ": " + d.value);
      if (i % every === 0) {
        text(s, pts[i][0], height - bottom + 16, short(d.label.t, 14), { "text-anchor": "end", "class": "tick",
          transform: "rotate(-35 " + pts[i][0] + " " + (height - bottom + 16) + ")" });
      }
    });
    box.appendChild(s);
  }

  function timeline(data, box, lang) {
    var di = column(data, ["date"]), li = column(data, ["iri", "text"]);
    var items = data.rows.filter(function (r) { return when(r[di]) !== null; }).map(function (r) {
      return { at: when(r[di]), date: r[di], label: li >= 0 && r[li] ? r[li] : r[di] };
    }).sort(function (a, b) { return a.at - b.at; }).slice(0, 400);
    var width = 960, left = 30, right = 30, laneH = 18, lanes = [], placed = [];
    var min = items.length ? items[0].at : 0, max = items.length ? items[items.length - 1].at : 1;
    var span = max - min || 1;
    items.forEach(function (d) {
      var x = left + (width - left - right) * (d.at - min) / span;
      var w = 6.5 * Math.min(40, d.label.t.length) + 16;
      var leftwards = x > width * 0.75;
      var from = leftwards ? x - w : x, to = leftwards ? x + 6 : x + w;
      var lane = 0;
      while (lanes[lane] !== undefined && lanes[lane] > from - 4) lane++;
      lanes[lane] = to;
      placed.push({ d: d, x: x, lane: lane });
    });
    var height = 60 + lanes.length * laneH;
    var s = svg(width, height, say(lang, "Cronología: ", "Timeline: ") + data.vars[di]);
    var axisY = height - 30;
    el("line", { "class": "grid", x1: left, x2: width - right, y1: axisY, y2: axisY }, s);
    var y0 = new Date(min).getUTCFullYear(), y1 = new Date(max).getUTCFullYear();
    var stepYears = Math.max(1, Math.ceil((y1 - y0 + 1) / 12));
    for (var y = y0; y <= y1 + 1; y += stepYears) {
      var tx = left + (width - left - right) * (Date.UTC(y, 0, 1) - min) / span;
      if (tx < left - 1 || tx > width - right + 1) continue;
      el("line", { "class": "grid", x1: tx, x2: tx, y1: 10, y2: axisY + 5 }, s);
      text(s, tx, axisY + 20, String(y), { "text-anchor": "middle", "class": "tick" });
    }
    placed.forEach(function (p) {
      var cy = 16 + p.lane * laneH;
      var g = linked(s, p.d.label);
      titled(el("circle", { "class": "point", cx: p.x, cy: cy, r: 4 }, g), p.d.label.t + " · " + p.d.date.t);
      var leftwards = p.x > width * 0.75;  // near the right edge the label goes to the left of its point
      text(g, leftwards ? p.x - 7 : p.x + 7, cy + 4, short(p.d.label.t, 40), leftwards ? { "text-anchor": "end" } : {});
    });
    box.appendChild(s);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.topojson) return resolve();
      var tag = document.createElement("script");
      tag.src = src; tag.onload = resolve; tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function map(data, box, lang) {
    var width = 960, height = 480;
    var s = svg(width, height, say(lang, "Mapa de los lugares del resultado", "Map of the result's places"));
    var countries = el("g", {}, s), places = el("g", {}, s);
    function project(lon, lat) { return [(lon + 180) / 360 * width, (90 - lat) / 180 * height]; }
    var pi = column(data, ["point"]), li = column(data, ["iri", "text"]);
    data.rows.forEach(function (r) {
      var lonlat = null;
      if (pi >= 0 && r[pi]) lonlat = r[pi].v;
      else if (data.latlon && r[data.latlon[0]] && r[data.latlon[1]]) lonlat = [r[data.latlon[1]].v, r[data.latlon[0]].v];
      if (!lonlat) return;
      var xy = project(lonlat[0], lonlat[1]);
      var label = li >= 0 && r[li] ? r[li] : null;
      titled(el("circle", { "class": "place", cx: xy[0], cy: xy[1], r: 5 }, linked(places, label)),
             (label ? label.t + " · " : "") + lonlat[1] + ", " + lonlat[0]);
    });
    box.appendChild(s);
    var atlas = script && script.getAttribute("data-atlas");
    if (!atlas) return;
    loadScript(script.getAttribute("data-topojson")).then(function () {
      return fetch(atlas).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    }).then(function (topo) {
      var shapes = window.topojson.feature(topo, topo.objects.countries).features;
      shapes.forEach(function (f) {
        var polys = f.geometry ? (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates) : [];
        var d = polys.map(function (poly) {
          return poly.map(function (ring) {
            // A ring that crosses the antimeridian is broken there rather than drawn across the map.
            return ring.map(function (c, i) {
              var q = project(c[0], c[1]);
              var jump = i === 0 || Math.abs(c[0] - ring[i - 1][0]) > 180;
              return (jump ? "M" : "L") + q[0].toFixed(1) + "," + q[1].toFixed(1);
            }).join("");
          }).join("");
        }).join("");
        titled(el("path", { "class": "country", d: d }, countries), (f.properties && f.properties.name) || "");
      });
      box.setAttribute("data-countries", String(shapes.length));
    }).catch(function () { box.setAttribute("data-countries", "0"); });
  }

  function graph(data, box, lang) {
    var a = -1, b = -1;
    data.kinds.forEach(function (k, i) { if (k === "iri") { if (a < 0) a = i; else if (b < 0) b = i; } });
    var nodes = {}, list = [], edges = [];
    function node(cell) {
      if (!nodes[cell.v]) { if (list.length >= 150) return null; nodes[cell.v] = { cell: cell, x: 0, y: 0, vx: 0, vy: 0 }; list.push(nodes[cell.v]); }
      return nodes[cell.v];
    }
    data.rows.forEach(function (r) {
      if (!r[a] || !r[b]) return;
      var s1 = node(r[a]), o = node(r[b]);
      if (s1 && o && s1 !== o) edges.push([s1, o]);
    });
    var width = 960, height = 600;
    list.forEach(function (n, i) {  // start on a circle, then a few hundred steps of springs and repulsion
      var t = 2 * Math.PI * i / list.length;
      n.x = width / 2 + 200 * Math.cos(t); n.y = height / 2 + 200 * Math.sin(t);
    });
    for (var step = 0; step < 300; step++) {
      var cool = 1 - step / 300;
      for (var i = 0; i < list.length; i++) {
        for (var j = i + 1; j < list.length; j++) {
          var dx = list[i].x - list[j].x, dy = list[i].y - list[j].y, d2 = dx * dx + dy * dy + 0.01;
          var f = 2000 / d2;
          list[i].vx += dx * f; list[i].vy += dy * f; list[j].vx -= dx * f; list[j].vy -= dy * f;
        }
      }
      edges.forEach(function (e) {
        var dx = e[1].x - e[0].x, dy = e[1].y - e[0].y, d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 90) * 0.02;
        e[0].vx += dx / d * f * d; e[0].vy += dy / d * f * d; e[1].vx -= dx / d * f * d; e[1].vy -= dy / d * f * d;
      });
      list.forEach(function (n) {
        n.vx += (width / 2 - n.x) * 0.005; n.vy += (height / 2 - n.y) * 0.005;
        var v = Math.sqrt(n.vx * n.vx + n.vy * n.vy), cap = 20 * cool + 1;
        if (v > cap) { n.vx *= cap / v; n.vy *= cap / v; }
        n.x = Math.min(width - 20, Math.max(20, n.x + n.vx)); n.y = Math.min(height - 20, Math.max(20, n.y + n.vy));
        n.vx *= 0.5; n.vy *= 0.5;
      });
    }
    var s = svg(width, height, say(lang, "Grafo: ", "Graph: ") + data.vars[a] + " → " + data.vars[b]);
    edges.forEach(function (e) { el("line", { "class": "edge", x1: e[0].x, y1: e[0].y, x2: e[1].x, y2: e[1].y }, s); });
    list.forEach(function (n) {
      var g = linked(s, n.cell);
      titled(el("circle", { "class": "node", cx: n.x, cy: n.y, r: 6 }, g), n.cell.t);
      text(g, n.x + 8, n.y + 4, short(n.cell.t, 24), { "class": "node-label" });
    });
    box.appendChild(s);
    box.setAttribute("data-nodes", String(list.length));
  }

  var DRAW = { bar: bar, line: line, timeline: timeline, map: map, graph: graph };

  function init() {
    var results = document.getElementById("results");
    var source = document.getElementById("view-data");
    if (!results || !source) return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "es";
    function show(name) {
      Array.prototype.forEach.call(results.querySelectorAll(".view-panel"), function (p) {
        p.hidden = p.getAttribute("data-view") !== name;
      });
      Array.prototype.forEach.call(results.querySelectorAll(".view-tabs a"), function (a) {
        if (a.getAttribute("data-view") === name) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
      });
      results.setAttribute("data-view", name);
      if (DRAW[name] && !drawn[name]) {
        var box = document.getElementById("canvas-" + name);
        box.textContent = "";
        DRAW[name](data, box, lang);
        // A drawing with links in it is a group of controls, not an image (axe: nested-interactive).
        var drawing = box.querySelector("svg");
        if (drawing && drawing.querySelector("a")) drawing.setAttribute("role", "group");
        drawn[name] = true;
      }
      var back = results.querySelector(".back-to-query");
      if (back) {
        var u = new URL(back.href);
        if (name === "table") u.searchParams.delete("view"); else u.searchParams.set("view", name);
        back.href = u.toString();
      }
    }
    Array.prototype.forEach.call(results.querySelectorAll(".view-tabs a"), function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        var name = a.getAttribute("data-view");
        show(name);
        if (window.history && history.replaceState) history.replaceState(null, "", a.href);
      });
    });
    show(results.getAttribute("data-view") || "table");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The project's charts (docs/console.md, "Charts"): each [data-charts] block fetches its JSON
// and draws uPlot charts into its [data-chart] areas. No build step; the tables beside the
// charts carry the same numbers for screen readers and without JavaScript.
(function () {
  "use strict";

  var ACCENT = "#1f5fd1";
  var FILL = "rgba(31, 95, 209, 0.25)";

  function size(area) {
    return { width: Math.max(240, area.clientWidth || 300), height: 160 };
  }

  function hours(area, data) {
    var box = size(area);
    return new uPlot({
      width: box.width,
      height: box.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{ size: 30 }, { size: 36 }],
      series: [{}, { stroke: ACCENT, fill: FILL, width: 1.5, points: { show: false } }]
    }, [data.x, data.y], area);
  }

  function buckets(area, data) {
    var box = size(area);
    var xs = data.counts.map(function (_, i) { return i; });
    return new uPlot({
      width: box.width,
      height: box.height + 30,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, xs.length - 0.5] },
        y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } }
      },
      axes: [
        {
          size: 60,
          rotate: -30,
          splits: function () { return xs; },
          values: function (u, splits) { return splits.map(function (i) { return data.ticks[i] || ""; }); }
        },
        { size: 36 }
      ],
      series: [{}, {
        stroke: ACCENT,
        fill: FILL,
        paths: uPlot.paths.bars({ size: [0.8, 60] }),
        points: { show: false }
      }]
    }, [xs, data.counts], area);
  }

  function draw(root) {
    if (root.getAttribute("data-drawn") === "1" || typeof uPlot === "undefined") return;
    root.setAttribute("data-drawn", "1");
    fetch(root.getAttribute("data-charts"), { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (data) {
        var plots = [];
        root.querySelectorAll("[data-chart]").forEach(function (area) {
          var kind = area.getAttribute("data-chart");
          plots.push(kind === "hours" ? hours(area, data.hours) : buckets(area, data[kind]));
        });
        window.addEventListener("resize", function () {
          plots.forEach(function (plot) {
            var box = size(plot.root.parentNode);
            plot.setSize({ width: box.width, height: plot.height });
          });
        });
      })
      .catch(function () { root.removeAttribute("data-drawn"); });
  }

  function scan() {
    document.querySelectorAll("[data-charts]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
  document.addEventListener("htmx:afterSettle", scan); // the project page loads them after it
})();

// Draws the dashboard charts: each <canvas data-chart="ID"> reads the JSON that Django's
// json_script filter wrote in <script id="ID" type="application/json">:
//   {"type": "bar", "labels": [...], "series": [{"label": ..., "data": [...]}]}
// The same figures stand in a table next to each chart, so the page works without JS.
(function () {
  "use strict";
  var COLOURS = ["#1f5fa8", "#2e8540", "#d98c00", "#b3261e", "#6b4fa0", "#0f7c86"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (serie, i) {
      return {label: serie.label, data: serie.data, backgroundColor: COLOURS[i % COLOURS.length]};
    });
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.labels.length > 6 ? "y" : "x",
        plugins: {legend: {display: datasets.length > 1}},
        scales: {x: {beginAtZero: true, ticks: {precision: 0}},
                 y: {beginAtZero: true, ticks: {precision: 0}}}
      }
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

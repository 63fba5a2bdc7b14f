// Draws every <canvas data-chart="…"> of the page with chart.js (and again after an htmx swap).
// The chart's configuration is JSON in the attribute, written by the server (components/chart.tsx),
// so pages need no script of their own and the CSP can forbid inline script.
(function () {
  'use strict';
  var Chart = window.Chart;
  if (!Chart) return;
  var plugins = [];
  var annotation = window['chartjs-plugin-annotation'];
  if (annotation) plugins.push(annotation);
  var boxplot = window.ChartBoxPlot;
  if (boxplot) plugins.push(boxplot.BoxPlotController, boxplot.BoxAndWiskers);
  if (plugins.length) Chart.register.apply(Chart, plugins);

  // Tick and tooltip values carry the unit the server names in options.kermaUnit ("mGy·cm").
  function withUnits(config) {
    var unit = config.options && config.options.kermaUnit;
    if (!unit) return config;
    var y = (config.options.scales = config.options.scales || {}).y || (config.options.scales.y = {});
    y.title = y.title || { display: true, text: unit };
    return config;
  }

  function draw(root) {
    var canvases = (root || document).querySelectorAll('canvas[data-chart]');
    for (var i = 0; i < canvases.length; i += 1) {
      var canvas = canvases[i];
      var existing = Chart.getChart(canvas);
      if (existing) existing.destroy();
      try {
        var chart = new Chart(canvas, withUnits(JSON.parse(canvas.getAttribute('data-chart'))));
        canvas.setAttribute('data-chart-drawn', String(chart.data.datasets.length));
      } catch (error) {
        canvas.setAttribute('data-chart-error', String(error && error.message));
        if (window.console) window.console.error('chart failed', error);
      }
    }
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', function () {
      draw();
    });
  else draw();
  document.addEventListener('htmx:afterSwap', function (event) {
    draw(event.target);
  });
})();

/* Gongjian's charts, drawn with the vendored Apache ECharts (static/vendor/echarts.min.js).
   templates/parts/chart.html renders a box with data-gj-chart naming a json_script element that holds
   the chart (gongjian/charts.py builds it):
     {kind: "bar" | "line", title, labels: [...], series: [{name, data: [...]}], percent, horizontal}
   ECharts is loaded only on pages that have a chart (its URL is the box's data-gj-echarts). The box is
   an image to assistive technology, labelled with every figure it draws; the table beside it stays. */
(function () {
  "use strict";
  var COLOURS = ["#c8161e", "#9a5b00", "#1f5f8b", "#17633a"]; // each ≥ 4.5:1 on white
  var loading = null;

  function figure(value, percent) {
    if (value === null || value === undefined) { return "—"; }
    return percent ? value + "%" : String(value);
  }

  function describe(spec) {
    var parts = spec.labels.map(function (label, i) {
      return label + " " + spec.series.map(function (s) {
        return (spec.series.length > 1 ? s.name + " " : "") + figure(s.data[i], spec.percent);
      }).join(", ");
    });
    return spec.title + ": " + parts.join("; ");
  }

  function option(spec, width) {
    var horizontal = spec.kind === "bar" && spec.horizontal;
    var values = {type: "value", minInterval: spec.percent ? 0 : 1,
                  axisLabel: {formatter: spec.percent ? "{value}%" : "{value}", color: "#444"}};
    if (spec.percent) { values.max = 100; }
    var categories = {type: "category", data: spec.labels, inverse: horizontal,
                      axisLabel: {color: "#212529", overflow: "truncate", interval: 0,
                                  // names as wide as a third of the box: whole on a desktop, most on a phone
                                  width: Math.round(Math.min(180, Math.max(96, width * 0.36)))}};
    return {
      color: COLOURS,
      animation: false,
      textStyle: {fontFamily: getComputedStyle(document.body).fontFamily},
      // drawn on the canvas: ECharts' HTML tooltip writes style="" attributes, which the CSP refuses
      tooltip: {trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return figure(v, spec.percent); }},
      legend: spec.series.length > 1 ? {top: 0, textStyle: {color: "#212529"}} : undefined,
      grid: {left: 4, right: 28, top: spec.series.length > 1 ? 28 : 8, bottom: 4, containLabel: true},
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: spec.kind, data: s.data, barMaxWidth: 22,
          label: {show: spec.kind === "bar", position: horizontal ? "right" : "top", color: "#212529",
                  formatter: function (p) { return figure(p.value, spec.percent); }}
        };
      })
    };
  }

  function draw(box) {
    if (box.getAttribute("data-gj-drawn")) { return; }
    var source = document.getElementById(box.getAttribute("data-gj-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    box.setAttribute("aria-label", describe(spec));
    if (spec.kind === "bar" && spec.horizontal) {
      // one readable row per label, whatever the screen's width
      var row = 14 + 14 * spec.series.length;
      box.style.height = Math.max(120, (spec.series.length > 1 ? 36 : 16) + spec.labels.length * row) + "px";
    }
    var chart = window.echarts.init(box);
    chart.setOption(option(spec, box.clientWidth));
    box.setAttribute("data-gj-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    var boxes = document.querySelectorAll("[data-gj-chart]:not([data-gj-drawn])");
    if (!boxes.length) { return; }
    if (window.echarts) { boxes.forEach(draw); return; }
    if (!loading) {
      loading = document.createElement("script");
      loading.src = boxes[0].getAttribute("data-gj-echarts");
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", function () { document.querySelectorAll("[data-gj-chart]").forEach(draw); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();

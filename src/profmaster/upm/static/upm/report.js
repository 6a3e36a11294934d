/* The УПМ festival report's charts: lessons, confirmations and attendance per venue and per competency (data and
   labels from json_script blocks, X-5 CSP). */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const text = JSON.parse(document.getElementById("chart-messages").textContent);
  if (typeof Chart === "undefined") return;
  Chart.defaults.locale = document.documentElement.lang || "ru";
  function draw(id, series, title) {
    const canvas = document.getElementById(id);
    if (!canvas || !series.labels.length) return;
    new Chart(canvas, {type: "bar", data: {labels: series.labels, datasets: [
      {label: text.lessons, data: series.lessons},
      {label: text.confirmed, data: series.confirmed},
      {label: text.attended, data: series.attended}]},
      options: {plugins: {title: {display: true, text: title}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  }
  draw("venues-chart", data.venues, text.venues);
  draw("competencies-chart", data.competencies, text.competencies);
})();

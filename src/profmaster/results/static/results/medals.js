/* The medal table as a stacked bar chart (data and labels from json_script blocks, X-5 CSP). */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("medal-chart-data").textContent);
  const text = JSON.parse(document.getElementById("medal-chart-messages").textContent);
  if (!data.labels.length || typeof Chart === "undefined") return;
  Chart.defaults.locale = document.documentElement.lang || "ru";  // ticks and tooltips in the page's number format
  new Chart(document.getElementById("medal-chart"), {type: "bar", data: {labels: data.labels, datasets: [
    {label: text.gold, data: data.gold, backgroundColor: "#d4af37"},
    {label: text.silver, data: data.silver, backgroundColor: "#a8a9ad"},
    {label: text.bronze, data: data.bronze, backgroundColor: "#cd7f32"}]},
    options: {indexAxis: "y", scales: {x: {stacked: true, ticks: {precision: 0}}, y: {stacked: true}}}});
})();

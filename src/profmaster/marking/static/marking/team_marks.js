/* A team's points per criterion as a bar chart (data and label from json_script blocks, X-5 CSP). */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const text = JSON.parse(document.getElementById("chart-messages").textContent);
  if (!data.length || typeof Chart === "undefined") return;
  Chart.defaults.locale = document.documentElement.lang || "ru";  // ticks and tooltips in the page's number format
  new Chart(document.getElementById("criteria-chart"), {type: "bar", data: {labels: data.map((d) => d.code),
    datasets: [{label: text.points, data: data.map((d) => Number(d.points))}]}, options: {animation: false}});
})();

/* Item statistics of an exam: facility and discrimination per question, and each question's score
   distribution (data and labels from json_script blocks, X-5 CSP). */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const text = JSON.parse(document.getElementById("chart-messages").textContent);
  if (!data.labels.length || typeof Chart === "undefined") return;
  Chart.defaults.locale = document.documentElement.lang || "ru";  // ticks and tooltips in the page's number format
  new Chart(document.getElementById("item-chart"), {type: "bar", data: {labels: data.labels, datasets: [
    {label: text.facility, data: data.facility},
    {label: text.discrimination, data: data.discrimination}]},
    options: {scales: {y: {min: -1, max: 1}}}});
  document.querySelectorAll("canvas.item-distribution").forEach(function (canvas) {
    const counts = data.distribution[canvas.dataset.question] || [];
    new Chart(canvas, {type: "bar", data: {labels: data.buckets, datasets: [
      {label: text.attempts, data: counts, backgroundColor: ["#dc3545", "#fd7e14", "#0dcaf0", "#198754"]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}});
  });
})();

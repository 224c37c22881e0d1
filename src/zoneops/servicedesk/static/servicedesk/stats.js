// Service statistics: orders filed and answered on time, by month.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  const el = document.getElementById("orders-chart");
  const source = document.getElementById("orders-data");
  if (!el || !source) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.filed, type: "bar", data: data.filed, itemStyle: { color: "#0d2c54" } },
      { name: data.labels.on_time, type: "line", data: data.on_time, itemStyle: { color: "#2e9d5b" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});

// Cluster trend and YoY charts of the indicator dashboard; data comes from a JSON script element.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".progress [data-width]").forEach((el) => {
    el.style.width = Math.min(100, Number(el.dataset.width)) + "%";
  });
  document.querySelectorAll(".progress [data-left]").forEach((el) => {
    el.style.left = Math.min(100, Number(el.dataset.left)) + "%";
  });
  const source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const line = (id, series, unit) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 60, right: 20, top: 30, bottom: 50 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: unit },
      series: series.map((s) => ({ name: s.name, type: "line", smooth: true, data: s.values })),
    });
    window.addEventListener("resize", () => chart.resize());
  };
  line("trend-chart", data.series, data.unit || "");
  line("yoy-chart", data.yoy, "%");
});

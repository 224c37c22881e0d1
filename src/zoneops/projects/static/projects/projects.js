// The project page: milestone timeline (planned and actual dates) and the investment curve.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  const read = (id) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const gantt = read("gantt-data");
  const ganttEl = document.getElementById("gantt-chart");
  if (gantt && ganttEl) {
    const chart = echarts.init(ganttEl);
    const rows = gantt.names.map((_, i) => i);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: (p) => `${gantt.names[p.value[1]]}<br>${p.seriesName}: ${p.value[0]}` },
      legend: { bottom: 0 },
      grid: { left: 110, right: 30, top: 20, bottom: 50 },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: gantt.names, inverse: true },
      series: [
        {
          name: gantt.labels.planned, type: "scatter", symbol: "rect", symbolSize: [14, 14],
          itemStyle: { color: "#8a99ab" }, data: rows.map((i) => [gantt.planned[i], i]),
          markLine: { symbol: "none", label: { formatter: gantt.labels.today }, lineStyle: { color: "#d64545" }, data: [{ xAxis: gantt.today }] },
        },
        {
          name: gantt.labels.actual, type: "scatter", symbolSize: 12, itemStyle: { color: "#2e9d5b" },
          data: rows.filter((i) => gantt.actual[i]).map((i) => [gantt.actual[i], i]),
        },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  const curve = read("curve-data");
  const curveEl = document.getElementById("curve-chart");
  if (curve && curveEl) {
    const chart = echarts.init(curveEl);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 70, right: 20, top: 30, bottom: 50 },
      xAxis: { type: "category", data: curve.months },
      yAxis: { type: "value", name: curve.labels.unit },
      series: [
        { name: curve.labels.planned, type: "line", data: curve.planned, lineStyle: { type: "dashed" } },
        { name: curve.labels.actual, type: "line", data: curve.actual, connectNulls: false },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
});

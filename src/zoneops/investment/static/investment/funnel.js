// The pipeline funnel: leads reaching each stage, and stage entries by month.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  const source = document.getElementById("funnel-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const funnelEl = document.getElementById("funnel-chart");
  if (funnelEl) {
    const chart = echarts.init(funnelEl);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: data.stages.map((name, i) => ({ name, value: data.reached[i] })),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  const monthEl = document.getElementById("month-chart");
  if (monthEl) {
    const chart = echarts.init(monthEl);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 40, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: Object.entries(data.entered).map(([name, values]) => ({ name, type: "bar", stack: "all", data: values })),
    });
    window.addEventListener("resize", () => chart.resize());
  }
});

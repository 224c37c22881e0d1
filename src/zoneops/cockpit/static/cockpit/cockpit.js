// The cockpit's small funnel, on the page and on the wall screen (dark).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  const source = document.getElementById("cockpit-data");
  const el = document.getElementById("cockpit-funnel");
  if (!source || !el) return;
  const data = JSON.parse(source.textContent);
  const dark = document.body.classList.contains("wall");
  const chart = echarts.init(el, dark ? "dark" : null);
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    tooltip: { trigger: "item" },
    series: [{
      type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "10%",
      label: { show: true, position: "inside", formatter: "{b}: {c}" },
      data: data.stages.map((name, i) => ({ name, value: data.reached[i] })),
    }],
  });
  window.addEventListener("resize", () => chart.resize());
});

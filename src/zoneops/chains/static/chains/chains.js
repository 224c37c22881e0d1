// Chain map (ECharts graph; a node click loads its panel with htmx) and the opportunity scatter.
document.addEventListener("DOMContentLoaded", () => {
  const mapEl = document.getElementById("chain-map");
  const graphSource = document.getElementById("graph-data");
  const panel = document.getElementById("node-panel");
  const openNode = (id) => {
    if (!mapEl || !panel || typeof htmx === "undefined") return;
    const url = mapEl.dataset.panelUrl.replace("/0/", "/" + id + "/") + "?year=" + mapEl.dataset.year;
    htmx.ajax("GET", url, { target: "#node-panel", swap: "innerHTML" });
  };
  document.querySelectorAll("button[data-node]").forEach((button) => {
    button.addEventListener("click", () => openNode(button.dataset.node));
  });
  if (mapEl && graphSource && typeof echarts !== "undefined") {
    const data = JSON.parse(graphSource.textContent);
    const chart = echarts.init(mapEl);
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: (p) =>
          p.dataType === "node"
            ? `${p.data.name}<br>${data.labels[p.data.gap]} · ${data.labels.local} ${p.data.local} · ${data.labels.candidates} ${p.data.candidates}`
            : "",
      },
      series: [
        {
          type: "graph",
          layout: "none",
          roam: true,
          label: { show: true, position: "bottom", fontSize: 12 },
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 8,
          lineStyle: { color: "#8a99ab", curveness: 0.15 },
          data: data.nodes,
          links: data.links,
        },
      ],
    });
    chart.on("click", (params) => {
      if (params.dataType === "node") openNode(params.data.id);
    });
    window.addEventListener("resize", () => chart.resize());
  }
  const scatterEl = document.getElementById("opportunity-chart");
  const scatterSource = document.getElementById("scatter-data");
  if (scatterEl && scatterSource && typeof echarts !== "undefined") {
    const data = JSON.parse(scatterSource.textContent);
    const colours = { strength: "#2e9d5b", threat: "#8e44ad", opportunity: "#1f77b4", possible_entrant: "#f5a623", weakness: "#b0b8c4" };
    const groups = {};
    data.points.forEach((p) => { (groups[p.position] = groups[p.position] || []).push(p); });
    const chart = echarts.init(scatterEl);
    chart.setOption({
      animation: false,
      tooltip: { formatter: (p) => `${p.data.name}<br>${p.data.value[0].toFixed(2)} × ${p.data.value[1].toFixed(2)}` },
      legend: { bottom: 0 },
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "value", name: data.x, min: 0, max: 1 },
      yAxis: { type: "value", name: data.y, min: 0, max: 1 },
      series: Object.entries(groups).map(([name, points]) => ({
        name, type: "scatter", symbolSize: 8, itemStyle: { color: colours[name] }, data: points,
      })),
    });
    window.addEventListener("resize", () => chart.resize());
  }
});

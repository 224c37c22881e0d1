// The wall screen's full-screen button: browsers allow full screen only from a person's click, so the
// command centre's operator presses it once after the display has opened the page. It hides itself in
// full screen (Esc leaves it).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".wall-fullscreen");
  if (!button || !document.documentElement.requestFullscreen) {
    if (button) button.hidden = true;
    return;
  }
  button.addEventListener("click", () => document.documentElement.requestFullscreen().catch(() => {}));
  document.addEventListener("fullscreenchange", () => { button.hidden = Boolean(document.fullscreenElement); });
});

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
    // Labels beside the funnel: the later stages are too narrow to hold their names.
    series: [{
      type: "funnel", sort: "none", left: "3%", width: "55%", top: 8, bottom: 8, gap: 2, minSize: "8%",
      label: { show: true, position: "right", formatter: "{b}: {c}", color: dark ? "#e6edf5" : "#1b2430" },
      labelLine: { show: true },
      data: data.stages.map((name, i) => ({ name, value: data.reached[i] })),
    }],
  });
  window.addEventListener("resize", () => chart.resize());
});

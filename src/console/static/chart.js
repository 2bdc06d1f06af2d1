// The item page's chart: a read-out of the movement nearest the pointer (or chosen with the
// arrow keys once the chart has focus): its time, on hand, value, kind and document. The
// chart reads without it: every dot has a <title>, and the history table has every figure.
"use strict";
function chart(svg) {
  const box = svg.closest(".chart-box");
  const readout = box.querySelector(".chart-readout");
  const cursor = svg.querySelector(".cursor");
  const points = Array.from(svg.querySelectorAll(".point"));
  if (!points.length || !readout) return;
  const xs = points.map((point) => Number(point.dataset.x));
  const width = svg.viewBox.baseVal.width;
  let current = -1;

  // Of movements at one moment, the last: its figures are where the step settles (the
  // arrow keys reach the others).
  function nearest(x) {
    let best = 0;
    xs.forEach((each, index) => {
      if (Math.abs(each - x) <= Math.abs(xs[best] - x)) best = index;
    });
    return best;
  }
  function line(text, css) {
    const element = document.createElement(css ? "span" : "strong");
    if (css) element.className = css;
    element.textContent = text;
    readout.appendChild(element);
    if (css) readout.appendChild(document.createElement("br"));
  }
  function show(index) {
    if (current >= 0) points[current].classList.remove("active");
    current = index;
    const point = points[index];
    point.classList.add("active");
    readout.replaceChildren();
    line(point.dataset.when, "");
    line("On hand " + point.dataset.onHand, "on-hand");
    line("Value " + point.dataset.value, "value");
    line(point.dataset.what, "what");
    readout.hidden = false;
    cursor.setAttribute("x1", point.dataset.x);
    cursor.setAttribute("x2", point.dataset.x);
    cursor.setAttribute("visibility", "visible");
    const rect = svg.getBoundingClientRect();
    const frame = box.getBoundingClientRect();
    const left = rect.left - frame.left + (xs[index] * rect.width) / width;
    const room = frame.width - readout.offsetWidth - 4;
    // Beside the point, on its left when the right has no room.
    const place = left + 12 <= room ? left + 12 : left - readout.offsetWidth - 12;
    readout.style.left = Math.max(0, place) + "px";
    readout.style.top = rect.top - frame.top + 8 + "px";
  }
  function hide() {
    if (current >= 0) points[current].classList.remove("active");
    current = -1;
    readout.hidden = true;
    cursor.setAttribute("visibility", "hidden");
  }
  svg.addEventListener("pointermove", (event) => {
    const rect = svg.getBoundingClientRect();
    show(nearest(((event.clientX - rect.left) * width) / rect.width));
  });
  svg.addEventListener("pointerleave", hide);
  svg.addEventListener("blur", hide);
  svg.addEventListener("focus", () => show(current >= 0 ? current : points.length - 1));
  svg.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -points.length, End: points.length };
    if (event.key === "Escape") return hide();
    if (!(event.key in moves)) return;
    event.preventDefault();
    const from = current >= 0 ? current : points.length - 1;
    show(Math.max(0, Math.min(points.length - 1, from + moves[event.key])));
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("svg.chart").forEach(chart);
});

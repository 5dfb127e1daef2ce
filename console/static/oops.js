// The console's only script: hover and keyboard. Everything works without it.
(function () {
  "use strict";
  function row(n) { return document.getElementById("e" + n); }
  function bar(n) { return document.querySelector('#waterfall .bar[data-n="' + n + '"]'); }
  function light(n, on) {
    var r = row(n), b = bar(n);
    if (r) r.classList.toggle("hi", on);
    if (b) b.classList.toggle("hi", on);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var wf = document.getElementById("waterfall");
    if (wf) {
      wf.addEventListener("mouseover", function (e) {
        var g = e.target.closest(".bar"); if (g) light(g.dataset.n, true);
      });
      wf.addEventListener("mouseout", function (e) {
        var g = e.target.closest(".bar"); if (g) light(g.dataset.n, false);
      });
      wf.addEventListener("click", function (e) {
        var g = e.target.closest(".bar"), r = g && row(g.dataset.n);
        if (r) { r.scrollIntoView({ block: "center" }); }
      });
    }
    var steps = document.getElementById("steps");
    if (steps) {
      steps.addEventListener("mouseover", function (e) {
        var r = e.target.closest("tr[id]"); if (r) light(r.id.slice(1), true);
      });
      steps.addEventListener("mouseout", function (e) {
        var r = e.target.closest("tr[id]"); if (r) light(r.id.slice(1), false);
      });
    }
    // "/" jumps to the id box, as in most consoles.
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target.tagName;
      if (t === "INPUT" || t === "TEXTAREA") return;
      var box = document.getElementById("paste") || document.getElementById("paste-top");
      if (box) { e.preventDefault(); box.focus(); }
    });
  });
})();

/* mRSS body map: click a site (or press Space on it) to cycle 0-3, or type 0-3
   on a focused site (focus then moves to the next site); Delete/Backspace clears
   it; Enter moves on without submitting the form. The total
   updates live. Kept in a static file: the content security policy forbids
   inline scripts. */
(function () {
  "use strict";
  function init(map) {
    var inputs = Array.prototype.slice.call(map.querySelectorAll("input.site-input"));
    var totalEl = document.getElementById("mrss-total");
    var statusEl = document.getElementById("mrss-status");

    function grade(input) {
      var v = input.value.trim();
      if (v === "") { return null; }
      var n = Number(v);
      return (Number.isInteger(n) && n >= 0 && n <= 3) ? n : NaN;
    }

    function refresh() {
      var sum = 0, scored = 0, invalid = 0;
      inputs.forEach(function (input) {
        var g = grade(input);
        var site = input.closest(".site");
        if (site) { site.setAttribute("data-grade", g === null || isNaN(g) ? "" : String(g)); }
        if (g === null) { return; }
        if (isNaN(g)) { invalid += 1; return; }
        sum += g; scored += 1;
      });
      if (invalid > 0) {
        totalEl.textContent = "—";
        statusEl.textContent = "Each site takes a whole number from 0 to 3.";
      } else if (scored === inputs.length) {
        totalEl.textContent = String(sum);
        statusEl.textContent = "All 17 sites scored (range 0–51).";
      } else {
        totalEl.textContent = scored === 0 ? "—" : sum + " so far";
        statusEl.textContent = scored + " of 17 sites scored; the total is computable once all 17 are scored.";
      }
    }

    function set(input, value) {
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    inputs.forEach(function (input, i) {
      input.addEventListener("keydown", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
        if (/^[0-3]$/.test(ev.key)) {
          ev.preventDefault();
          set(input, ev.key);
          if (i + 1 < inputs.length) { inputs[i + 1].focus(); }
        } else if (/^[4-9]$/.test(ev.key) || ev.key === "e" || ev.key === "-" || ev.key === "+" || ev.key === ".") {
          ev.preventDefault();
        } else if (ev.key === "Delete" || ev.key === "Backspace") {
          ev.preventDefault();
          set(input, "");
        } else if (ev.key === " ") {
          ev.preventDefault();
          var g = grade(input);
          set(input, String(g === null || isNaN(g) ? 0 : (g + 1) % 4));
        } else if (ev.key === "Enter") {
          ev.preventDefault();  // never submit the visit from the body map
          if (i + 1 < inputs.length) { inputs[i + 1].focus(); }
        }
      });
      input.addEventListener("click", function () {
        var g = grade(input);
        set(input, String(g === null || isNaN(g) ? 0 : (g + 1) % 4));
      });
      input.addEventListener("input", refresh);
    });

    var zero = document.getElementById("mrss-fill-zero");
    if (zero) {
      zero.addEventListener("click", function () {
        inputs.forEach(function (input) { if (input.value.trim() === "") { input.value = "0"; } });
        refresh();
        if (inputs.length) { inputs[0].dispatchEvent(new Event("change", { bubbles: true })); }
      });
    }
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var map = document.getElementById("bodymap");
    if (map) { init(map); }
  });
})();

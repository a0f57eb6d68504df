// radnuc console: interactive spectrum plot on a <canvas> (no library).
// Log/linear toggle, drag to zoom in energy, reset, an energy cursor listing candidate gamma lines
// (a short table of common lines, keV, from ICRP-107 / NNDC), the fitted model of `radnuc identify`
// (fitted background, one component per identified source, the fitted total, residuals in σ) when the server
// provides them, and the per-panel time profile of a portal occupancy.
(function () {
  "use strict";
  var LINES = [
    ["Am-241", 59.54], ["Tc-99m", 140.51], ["Eu-152", 121.78], ["U-235", 185.72], ["Ra-226", 186.21],
    ["Pb-212", 238.63], ["Pb-214", 351.93], ["Ba-133", 356.01], ["Ba-133", 80.99], ["I-131", 364.49],
    ["Eu-152", 344.28], ["Pu-239", 413.71], ["Ir-192", 316.51], ["Ir-192", 468.07], ["Annihilation", 511.0],
    ["Tl-208", 583.19], ["Bi-214", 609.31], ["Cs-137", 661.66], ["Co-60", 1173.23], ["Co-60", 1332.49],
    ["Eu-152", 1408.01], ["K-40", 1460.82], ["Bi-214", 1764.49], ["Tl-208", 2614.51], ["Co-57", 122.06],
    ["Se-75", 264.66], ["Na-22", 1274.54], ["Mn-54", 834.85], ["Y-88", 898.04], ["Th-234", 63.29],
    ["U-238 (Pa-234m)", 1001.03], ["F-18", 511.0], ["Ga-67", 93.31], ["In-111", 171.28], ["Tl-201", 167.43]
  ];
  var COLORS = ["#e65100", "#2e7d32", "#7b1fa2", "#00838f", "#c62828", "#6d4c41"];

  function Plot(canvas, data) {
    this.c = canvas; this.d = data; this.log = true;
    var n = data.counts.length;
    this.x = data.energies || data.counts.map(function (_, i) { return i; });
    this.unit = data.energies ? "keV" : "ch";
    this.lo = this.x[0]; this.hi = this.x[n - 1];
    this.drag = null; this.cursor = null;
    this.pad = { l: 64, r: 14, t: 12, b: 34 };
    this.residual = this.computeResidual();
    this.bind(); this.draw();
  }
  Plot.prototype.computeResidual = function () {
    if (this.d.residuals) return this.d.residuals;  // from the fit itself (null outside the fitted range)
    var comps = this.d.components || [];
    if (!comps.length) return null;
    var d = this.d.counts;
    return d.map(function (v, i) {
      var model = comps.reduce(function (s, c) { return s + (c.counts[i] || 0); }, 0);
      return (v - model) / Math.sqrt(Math.max(model, 1));
    });
  };
  Plot.prototype.size = function () {
    var r = window.devicePixelRatio || 1, w = this.c.clientWidth, h = this.c.clientHeight || 340;
    if (this.c.width !== Math.round(w * r)) { this.c.width = Math.round(w * r); this.c.height = Math.round(h * r); }
    var ctx = this.c.getContext("2d"); ctx.setTransform(r, 0, 0, r, 0, 0);
    return { ctx: ctx, w: w, h: h };
  };
  Plot.prototype.yv = function (v) { return this.log ? Math.log10(Math.max(v, 0.5)) : v; };
  Plot.prototype.draw = function () {
    var s = this.size(), ctx = s.ctx, p = this.pad, self = this;
    var plotH = this.residual ? s.h - p.t - p.b - 70 : s.h - p.t - p.b, plotW = s.w - p.l - p.r;
    ctx.clearRect(0, 0, s.w, s.h);
    var i0 = 0, i1 = this.x.length - 1;
    while (i0 < i1 && this.x[i0] < this.lo) i0++;
    while (i1 > i0 && this.x[i1] > this.hi) i1--;
    var series = [{ v: this.d.counts, color: "#1f6feb", w: 1.4, name: "foreground" }];
    if (this.d.background) series.push({ v: this.d.background, color: "#90a4ae", w: 1, name: "background" });
    (this.d.components || []).forEach(function (c, k) {
      series.push({ v: c.counts, color: c.kind === "background" ? "#455a64" : COLORS[k % COLORS.length], w: 1.1,
                    name: c.name, dash: c.kind === "background" ? [2, 2] : null });
    });
    if (this.d.fit_total) series.push({ v: this.d.fit_total, color: "#d32f2f", w: 1.2, name: "fitted total", dash: [6, 3] });
    var ymax = 1;
    for (var i = i0; i <= i1; i++) ymax = Math.max(ymax, this.d.counts[i]);
    var ylo = this.log ? Math.log10(0.5) : 0, yhi = this.log ? Math.log10(ymax * 2) : ymax * 1.05;
    var X = function (e) { return p.l + (e - self.lo) / (self.hi - self.lo) * plotW; };
    var Y = function (v) { return p.t + plotH - (self.yv(v) - ylo) / (yhi - ylo) * plotH; };
    this.X = X; this.plotW = plotW;
    // axes and grid
    ctx.strokeStyle = "#dde3ea"; ctx.fillStyle = "#6b7785"; ctx.font = "11px system-ui, sans-serif"; ctx.lineWidth = 1;
    ctx.textAlign = "center";
    var step = niceStep((this.hi - this.lo) / 8);
    for (var e = Math.ceil(this.lo / step) * step; e <= this.hi; e += step) {
      ctx.beginPath(); ctx.moveTo(X(e), p.t); ctx.lineTo(X(e), p.t + plotH); ctx.stroke();
      ctx.fillText(fmt(e), X(e), p.t + plotH + 14);
    }
    ctx.fillText(this.unit === "keV" ? "energy (keV)" : "channel", p.l + plotW / 2, s.h - 4);
    ctx.textAlign = "right";
    if (this.log) {
      for (var k = 0; Math.pow(10, k) <= ymax * 2; k++) {
        var yy = Y(Math.pow(10, k)); ctx.beginPath(); ctx.moveTo(p.l, yy); ctx.lineTo(p.l + plotW, yy); ctx.stroke();
        ctx.fillText(k < 4 ? String(Math.pow(10, k)) : "1e" + k, p.l - 6, yy + 4);
      }
    } else {
      var ys = niceStep(ymax / 5);
      for (var v = 0; v <= ymax * 1.05; v += ys) {
        var y2 = Y(v); ctx.beginPath(); ctx.moveTo(p.l, y2); ctx.lineTo(p.l + plotW, y2); ctx.stroke();
        ctx.fillText(fmt(v), p.l - 6, y2 + 4);
      }
    }
    ctx.save(); ctx.translate(12, p.t + plotH / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
    ctx.fillText("counts / channel", 0, 0); ctx.restore();
    ctx.save(); ctx.beginPath(); ctx.rect(p.l, p.t, plotW, plotH); ctx.clip();
    series.slice().reverse().forEach(function (sr) {
      ctx.strokeStyle = sr.color; ctx.lineWidth = sr.w; ctx.setLineDash(sr.dash || []); ctx.beginPath();
      var pen = false;  // null values (outside a fitted range) break the line
      for (var i = i0; i <= i1; i++) {
        if (sr.v[i] === null || sr.v[i] === undefined) { pen = false; continue; }
        var xx = X(self.x[i]), yv = Y(sr.v[i]); if (!pen) ctx.moveTo(xx, yv); else ctx.lineTo(xx, yv); pen = true;
      }
      ctx.stroke(); ctx.setLineDash([]);
    });
    ctx.restore();
    ctx.strokeStyle = "#9aa7b4"; ctx.strokeRect(p.l, p.t, plotW, plotH);
    // legend
    ctx.textAlign = "left"; var lx = p.l + plotW - 190, ly = p.t + 14;
    ctx.fillStyle = "rgba(255,255,255,.85)"; ctx.fillRect(lx - 6, ly - 14, 190, series.length * 15 + 6);
    series.forEach(function (sr, k) { ctx.fillStyle = sr.color; ctx.fillRect(lx, ly + k * 15 - 8, 14, 3); ctx.fillStyle = "#37474f"; ctx.fillText(sr.name, lx + 20, ly + k * 15 - 4); });
    // residuals strip
    if (this.residual) {
      var top = p.t + plotH + 22, hgt = 48, r = this.residual;
      ctx.strokeStyle = "#9aa7b4"; ctx.strokeRect(p.l, top, plotW, hgt);
      ctx.fillStyle = "#6b7785"; ctx.textAlign = "right"; ctx.fillText("resid. (σ)", p.l - 6, top + hgt / 2 + 4);
      ctx.strokeStyle = "#dde3ea"; ctx.beginPath(); ctx.moveTo(p.l, top + hgt / 2); ctx.lineTo(p.l + plotW, top + hgt / 2); ctx.stroke();
      ctx.strokeStyle = "#37474f"; ctx.beginPath();
      var down = false;
      for (var j = i0; j <= i1; j++) {
        if (r[j] === null || r[j] === undefined) { down = false; continue; }
        var ry = top + hgt / 2 - Math.max(-4, Math.min(4, r[j])) / 4 * (hgt / 2);
        if (!down) ctx.moveTo(X(this.x[j]), ry); else ctx.lineTo(X(this.x[j]), ry); down = true;
      }
      ctx.stroke();
    }
    // zoom selection and cursor
    if (this.drag && this.drag.x1 !== undefined) {
      ctx.fillStyle = "rgba(31,111,235,.12)"; ctx.fillRect(Math.min(this.drag.x0, this.drag.x1), p.t, Math.abs(this.drag.x1 - this.drag.x0), plotH);
    }
    if (this.cursor !== null) {
      ctx.strokeStyle = "#c62828"; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(X(this.cursor), p.t); ctx.lineTo(X(this.cursor), p.t + plotH); ctx.stroke(); ctx.setLineDash([]);
    }
  };
  Plot.prototype.energyAt = function (px) { return this.lo + (px - this.pad.l) / this.plotW * (this.hi - this.lo); };
  Plot.prototype.bind = function () {
    var self = this, c = this.c, out = document.getElementById("plot-cursor");
    function px(ev) { var r = c.getBoundingClientRect(); return ev.clientX - r.left; }
    c.addEventListener("mousedown", function (ev) { self.drag = { x0: px(ev) }; });
    c.addEventListener("mousemove", function (ev) {
      var x = px(ev); if (self.drag) self.drag.x1 = x;
      var e = self.energyAt(x); self.cursor = (e >= self.lo && e <= self.hi) ? e : null;
      if (out && self.cursor !== null) {
        var text = fmt(e) + " " + self.unit;
        if (self.unit === "keV") {
          var tol = Math.max(5, 0.03 * e);
          var near = LINES.filter(function (l) { return Math.abs(l[1] - e) <= tol; })
            .sort(function (a, b) { return Math.abs(a[1] - e) - Math.abs(b[1] - e); }).slice(0, 4)
            .map(function (l) { return l[0] + " " + l[1].toFixed(1); });
          text += near.length ? " — " + near.join(", ") : "";
        }
        out.textContent = text;
      }
      self.draw();
    });
    c.addEventListener("mouseleave", function () { self.cursor = null; self.drag = null; self.draw(); });
    c.addEventListener("mouseup", function () {
      if (self.drag && self.drag.x1 !== undefined && Math.abs(self.drag.x1 - self.drag.x0) > 6) {
        var a = self.energyAt(Math.min(self.drag.x0, self.drag.x1)), b = self.energyAt(Math.max(self.drag.x0, self.drag.x1));
        self.lo = Math.max(self.x[0], a); self.hi = Math.min(self.x[self.x.length - 1], b);
      }
      self.drag = null; self.draw();
    });
    var logBtn = document.getElementById("plot-log"), reset = document.getElementById("plot-reset");
    if (logBtn) logBtn.addEventListener("click", function () { self.log = !self.log; logBtn.setAttribute("aria-pressed", String(self.log)); self.draw(); });
    if (reset) reset.addEventListener("click", function () { self.lo = self.x[0]; self.hi = self.x[self.x.length - 1]; self.draw(); });
    window.addEventListener("resize", function () { self.draw(); });
  };

  function drawProfile(canvas, prof) {
    var r = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight || 160;
    canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
    var ctx = canvas.getContext("2d"); ctx.setTransform(r, 0, 0, r, 0, 0);
    var names = Object.keys(prof.panels), n = prof.occupied.length, p = { l: 64, r: 14, t: 10, b: 24 };
    var pw = w - p.l - p.r, ph = h - p.t - p.b, ymax = 1;
    names.forEach(function (k) { prof.panels[k].forEach(function (v) { ymax = Math.max(ymax, v); }); });
    var X = function (i) { return p.l + i / Math.max(n - 1, 1) * pw; }, Y = function (v) { return p.t + ph - v / (ymax * 1.05) * ph; };
    ctx.fillStyle = "rgba(255,193,7,.18)";
    prof.occupied.forEach(function (o, i) { if (o) ctx.fillRect(X(i) - pw / n / 2, p.t, pw / n + 0.5, ph); });
    names.forEach(function (k, j) {
      ctx.strokeStyle = COLORS[j % COLORS.length]; ctx.beginPath();
      prof.panels[k].forEach(function (v, i) { if (i === 0) ctx.moveTo(X(i), Y(v)); else ctx.lineTo(X(i), Y(v)); });
      ctx.stroke(); ctx.fillStyle = ctx.strokeStyle; ctx.font = "11px system-ui, sans-serif"; ctx.fillText(k, p.l + 6 + j * 70, p.t + 12);
    });
    ctx.strokeStyle = "#9aa7b4"; ctx.strokeRect(p.l, p.t, pw, ph);
    ctx.fillStyle = "#6b7785"; ctx.textAlign = "center"; ctx.fillText("time slice (shaded: occupied)", p.l + pw / 2, h - 6);
    ctx.textAlign = "right"; ctx.fillText(fmt(ymax), p.l - 6, p.t + 10); ctx.fillText("0", p.l - 6, p.t + ph);
  }

  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  }
  function fmt(v) { return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2); }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("spectrum");
    if (!canvas) return;
    fetch(canvas.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.error || !data.counts) { canvas.insertAdjacentText("afterend", data.error || data.detail || "no spectrum"); return; }
      window.radnucPlot = new Plot(canvas, data);
      var names = (data.components || []).map(function (c) { return c.name; });
      canvas.dataset.components = names.join("|");
      var summary = document.getElementById("fit-summary");
      if (summary && names.length) {
        summary.textContent = summary.dataset.label + " " + names.join(", ") +
          (data.fit ? " — " + data.fit.detector + ", χ²/ν " + data.fit.reduced_chi2 : "");
        summary.hidden = false;
      }
      canvas.dataset.ready = "1";
      if (data.profile) {
        var wrap = document.getElementById("profile-wrap"); wrap.hidden = false;
        drawProfile(document.getElementById("profile"), data.profile);
      }
    });
  });
})();

"""Null distributions, per-algorithm thresholds and the fused decision.

Each algorithm's statistic has a null distribution calibrated on empty vehicles (:mod:`.thresholds`). The
shipped sets use, for every algorithm, the tail of a maximum of N near-normal deviates,
P(T >= x) = N Phi_bar(x / s) (family ``maxnormal``; N the effective number of independent tests, s the width of
one; N ~ 1 for the single gross-count test), fitted through the 90th and 99th percentiles. The older families
(``normal`` and ``gumbel``, fitted through the median and 99th percentile) are still read: the Gumbel law
overestimates the far tail of such maxima (its extrapolation to 1e-3 was ~0.3 sigma too high).

Fusion: the fused statistic is M = max_i -log10 p_i over the alarm algorithms of the threshold set that apply
to the file (the others are reported as diagnostics). When the
threshold set carries a calibrated null of M itself (``nulls["fused"]``, family ``exptail``: an exponential tail
fitted above the 98th percentile of M on the same empty occupancies), ``score`` = -log10 P_null(M' >= M), so the
fused false-alarm rate is FAR itself — the algorithms are strongly correlated (they see the same counts) and
Bonferroni over them costs detection power. Without it (older threshold files) Bonferroni: algorithm i fires when
its p-value is below FAR / k and ``score`` = -log10(k min_i p_i). Either way ``score`` is monotone and continuous
and the alarm threshold is -log10(FAR) (3 for 1 in 1,000), usable directly for ROC curves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

EULER_GAMMA = 0.5772156649015329
_G50 = -math.log(-math.log(0.5))
_G99 = -math.log(-math.log(0.99))
_N99 = 2.3263478740408408


@dataclass(frozen=True)
class NullModel:
    """Null distribution of one statistic: ``family`` 'normal' or 'gumbel', ``loc``, ``scale``, ``n`` samples."""

    family: str
    loc: float
    scale: float
    n: int = 0
    tail: float = 0.05

    def log10_sf(self, x: float) -> float:
        """log10 of the null tail probability P(T >= x)."""
        if self.family == "exptail":
            if x >= self.loc:
                return math.log10(self.tail) - (x - self.loc) / self.scale
            return math.log10(self.tail) * max(x, 0.0) / self.loc if self.loc > 0 else 0.0
        if self.family == "maxnormal":
            return min(0.0, self.loc + float(special.log_ndtr(-x / self.scale)) / math.log(10))
        z = (x - self.loc) / self.scale
        if self.family == "normal":
            return float(special.log_ndtr(-z) / math.log(10))
        if z > 30:
            return -z / math.log(10)
        return math.log10(max(-math.expm1(-math.exp(-z)), 1e-300))

    def quantile(self, tail: float) -> float:
        """Statistic value exceeded with probability ``tail`` under the null."""
        if self.family == "exptail":
            if tail <= self.tail:
                return float(self.loc + self.scale * (math.log10(self.tail) - math.log10(tail)))
            return float(self.loc * math.log10(tail) / math.log10(self.tail))
        if self.family == "maxnormal":
            q = min(tail / 10.0**self.loc, 1.0 - 1e-12)
            return float(-self.scale * special.ndtri(q))
        if self.family == "normal":
            return float(self.loc - self.scale * special.ndtri(tail))
        return float(self.loc - self.scale * math.log(-math.log1p(-tail)))

    def to_json(self) -> dict:
        out = {"family": self.family, "loc": round(self.loc, 6), "scale": round(self.scale, 6), "n": self.n}
        if self.family == "exptail":
            out["tail"] = self.tail
        return out

    @classmethod
    def from_json(cls, data: dict) -> NullModel:
        return cls(str(data["family"]), float(data["loc"]), float(data["scale"]), int(data.get("n", 0)),
                   float(data.get("tail", 0.05)))


#: Fraction of the empty occupancies above which the fused statistic's exponential tail is fitted (files
#: written before the fraction was stored used 0.05).
TAIL_FRACTION = 0.02


def fit_fused_tail(sample: np.ndarray, fraction: float = TAIL_FRACTION) -> NullModel:
    """Null of the fused statistic M (decades): P(M >= m) = fraction 10^-(m - m0)/s above the
    (1 - fraction) quantile m0, with s the maximum-likelihood exponential scale of the exceedances."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    m0 = float(np.quantile(x, 1.0 - fraction))
    excess = x[x > m0] - m0
    scale = float(max(math.log(10.0) * excess.mean(), 1e-3)) if excess.size else 1.0
    return NullModel("exptail", m0, scale, int(x.size), fraction)


def fused_statistic(statistics: dict[str, float], nulls: dict[str, NullModel],
                    alarm: tuple[str, ...] | None = None) -> float:
    """M = max over the applicable alarm algorithms (``alarm``; None: all) of -log10 of their null tail
    probability."""
    values = [-nulls[k].log10_sf(v) for k, v in statistics.items()
              if k in nulls and k != "fused" and (alarm is None or k in alarm) and v is not None
              and math.isfinite(v)]
    return max(values) if values else 0.0


def fit_null(sample: np.ndarray, family: str) -> NullModel:
    """Fit a null law to the upper part of an empirical null: 'normal' and 'gumbel' through the median and the
    99th percentile; 'maxnormal' through the 90th and 99th percentiles (falls back to 'gumbel' when the 90th
    percentile is not positive)."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    q50, q90, q99 = np.quantile(x, [0.5, 0.9, 0.99])
    if family == "maxnormal" and q99 > q90 > 0:
        def gap(s: float) -> float:
            return float(stats.norm.logsf(q99 / s) - stats.norm.logsf(q90 / s) - math.log(0.1))

        lo, hi = 1e-3, 1e3
        if gap(lo) < 0 < gap(hi):
            s = float(optimize.brentq(gap, lo, hi, xtol=1e-6))
            n_eff = math.log10(0.1) - float(stats.norm.logsf(q90 / s)) / math.log(10)
            return NullModel("maxnormal", n_eff, s, int(x.size))
    if family == "normal":
        scale = max((q99 - q50) / _N99, 1e-6)
        return NullModel("normal", float(q50), float(scale), int(x.size))
    scale = max((q99 - q50) / (_G99 - _G50), 1e-6)
    return NullModel("gumbel", float(q50 - scale * _G50), float(scale), int(x.size))


@dataclass(frozen=True)
class AlgorithmResult:
    """One algorithm: ``statistic`` (its own units, mostly sigma), ``threshold`` at the operating FAR share,
    ``fired``, ``log10_p`` null tail probability, ``detail`` (which kernel/template, free text)."""

    statistic: float | None
    threshold: float | None
    fired: bool
    log10_p: float | None = None
    detail: str = ""

    def to_dict(self) -> dict:
        def r(v):
            return None if v is None or not math.isfinite(v) else round(float(v), 4)
        return {"statistic": r(self.statistic), "threshold": r(self.threshold), "fired": bool(self.fired),
                "log10_p": r(self.log10_p), "detail": self.detail}


def fuse(statistics: dict[str, float], nulls: dict[str, NullModel], far: float,
         details: dict[str, str] | None = None,
         alarm: tuple[str, ...] | None = None) -> tuple[dict[str, AlgorithmResult], float]:
    """Per-algorithm results and the fused score for the statistics that are finite and have a null model.

    ``alarm``: the algorithms whose statistics make the alarm decision (None: all); the others are diagnostics,
    reported with their p-value and 'fired' at the same per-algorithm level, but not fused (each algorithm in
    the fusion costs threshold height for all: the fused null is a maximum over them)."""
    details = details or {}
    usable = [k for k, v in statistics.items() if v is not None and math.isfinite(v) and k in nulls and k != "fused"]
    active = [k for k in usable if alarm is None or k in alarm]
    k = max(len(active), 1)
    fused = nulls.get("fused")
    # per-algorithm tail probability at which an algorithm fires
    share = 10.0 ** -fused.quantile(far) if fused is not None else far / k
    results: dict[str, AlgorithmResult] = {}
    best = -math.inf
    for name, value in statistics.items():
        if name not in usable:
            results[name] = AlgorithmResult(None, None, False, None, details.get(name, "not applicable"))
            continue
        null = nulls[name]
        thr = null.quantile(share)
        lp = null.log10_sf(value)
        detail = details.get(name, "")
        if name not in active:
            detail = (detail + "; " if detail else "") + "diagnostic, not part of the alarm decision"
        results[name] = AlgorithmResult(value, thr, value >= thr, lp, detail)
        if name in active:
            best = max(best, -(lp + math.log10(k)))
    if fused is not None:
        best = -fused.log10_sf(fused_statistic({n: statistics[n] for n in active}, nulls))
    return results, (best if math.isfinite(best) else 0.0)

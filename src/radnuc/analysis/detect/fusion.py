"""Null distributions, per-algorithm thresholds and the fused decision.

Each algorithm's statistic has a null distribution calibrated on empty vehicles (:mod:`.thresholds`): a
normal law for single tests (gross count over the occupancy) and a Gumbel law for maxima over kernels and
templates (the extreme-value law of a maximum of many correlated near-normal deviates). Both are fitted on
the upper part of the empirical null (median and 99th percentile), where the threshold is extrapolated.

Fusion: the fused statistic is M = max_i -log10 p_i over the algorithms that apply to the file. When the
threshold set carries a calibrated null of M itself (``nulls["fused"]``, family ``exptail``: an exponential tail
fitted above the 95th percentile of M on the same empty occupancies), ``score`` = -log10 P_null(M' >= M), so the
fused false-alarm rate is FAR itself — the algorithms are strongly correlated (they see the same counts) and
Bonferroni over them costs detection power. Without it (older threshold files) Bonferroni: algorithm i fires when
its p-value is below FAR / k and ``score`` = -log10(k min_i p_i). Either way ``score`` is monotone and continuous
and the alarm threshold is -log10(FAR) (3 for 1 in 1,000), usable directly for ROC curves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

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

    def log10_sf(self, x: float) -> float:
        """log10 of the null tail probability P(T >= x)."""
        if self.family == "exptail":
            if x >= self.loc:
                return math.log10(TAIL_FRACTION) - (x - self.loc) / self.scale
            return math.log10(TAIL_FRACTION) * max(x, 0.0) / self.loc if self.loc > 0 else 0.0
        z = (x - self.loc) / self.scale
        if self.family == "normal":
            return float(stats.norm.logsf(z) / math.log(10))
        if z > 30:
            return -z / math.log(10)
        return math.log10(max(-math.expm1(-math.exp(-z)), 1e-300))

    def quantile(self, tail: float) -> float:
        """Statistic value exceeded with probability ``tail`` under the null."""
        if self.family == "exptail":
            if tail <= TAIL_FRACTION:
                return float(self.loc + self.scale * (math.log10(TAIL_FRACTION) - math.log10(tail)))
            return float(self.loc * math.log10(tail) / math.log10(TAIL_FRACTION))
        if self.family == "normal":
            return float(self.loc + self.scale * stats.norm.isf(tail))
        return float(self.loc - self.scale * math.log(-math.log1p(-tail)))

    def to_json(self) -> dict:
        return {"family": self.family, "loc": round(self.loc, 6), "scale": round(self.scale, 6), "n": self.n}

    @classmethod
    def from_json(cls, data: dict) -> NullModel:
        return cls(str(data["family"]), float(data["loc"]), float(data["scale"]), int(data.get("n", 0)))


#: Fraction of the empty occupancies above which the fused statistic's exponential tail is fitted.
TAIL_FRACTION = 0.05


def fit_fused_tail(sample: np.ndarray) -> NullModel:
    """Null of the fused statistic M (decades): P(M >= m) = TAIL_FRACTION 10^-(m - m0)/s above the
    (1 - TAIL_FRACTION) quantile m0, with s the maximum-likelihood exponential scale of the exceedances."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    m0 = float(np.quantile(x, 1.0 - TAIL_FRACTION))
    excess = x[x > m0] - m0
    scale = float(max(math.log(10.0) * excess.mean(), 1e-3)) if excess.size else 1.0
    return NullModel("exptail", m0, scale, int(x.size))


def fused_statistic(statistics: dict[str, float], nulls: dict[str, NullModel]) -> float:
    """M = max over the applicable algorithms of -log10 of their null tail probability."""
    values = [-nulls[k].log10_sf(v) for k, v in statistics.items()
              if k in nulls and k != "fused" and v is not None and math.isfinite(v)]
    return max(values) if values else 0.0


def fit_null(sample: np.ndarray, family: str) -> NullModel:
    """Fit a null law to its upper part: through the empirical median and 99th percentile."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    q50, q99 = np.quantile(x, [0.5, 0.99])
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
         details: dict[str, str] | None = None) -> tuple[dict[str, AlgorithmResult], float]:
    """Per-algorithm results and the fused score for the statistics that are finite and have a null model."""
    details = details or {}
    active = [k for k, v in statistics.items() if v is not None and math.isfinite(v) and k in nulls and k != "fused"]
    k = max(len(active), 1)
    fused = nulls.get("fused")
    # per-algorithm tail probability at which an algorithm fires
    share = 10.0 ** -fused.quantile(far) if fused is not None else far / k
    results: dict[str, AlgorithmResult] = {}
    best = -math.inf
    for name, value in statistics.items():
        if name not in active:
            results[name] = AlgorithmResult(None, None, False, None, details.get(name, "not applicable"))
            continue
        null = nulls[name]
        thr = null.quantile(share)
        lp = null.log10_sf(value)
        results[name] = AlgorithmResult(value, thr, value >= thr, lp, details.get(name, ""))
        best = max(best, -(lp + math.log10(k)))
    if fused is not None:
        best = -fused.log10_sf(fused_statistic({n: statistics[n] for n in active}, nulls))
    return results, (best if math.isfinite(best) else 0.0)

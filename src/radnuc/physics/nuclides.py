"""Nuclide names and photon emission lines from ICRP Publication 107 (with the corrections of
:mod:`radnuc.physics.line_corrections`: standard K X-ray energies, current Th-234 yields).

Data: ICRP, 2008. Nuclear Decay Data for Dosimetric Calculations. ICRP Publication 107, Ann. ICRP 38(3),
as packaged by PyPI ``icrp107-database`` (one JSON file per nuclide, 1252 radionuclides; energies in MeV,
yields in emissions per nuclear transformation, half-lives with a unit; 1 y = 365.2422 d as in ICRP-107).

Daughters are separate nuclides: Cs-137's 661.657 keV line belongs to Ba-137m (yield 0.8974 per Ba-137m decay,
0.944 Ba-137m per Cs-137 decay). Use :class:`radnuc.physics.sources.Source` to combine a parent with its
daughters. Tables are read lazily, one nuclide at a time, and cached (nothing is read at import).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from radnuc.physics.errors import UnknownNuclideError
from radnuc.physics.line_corrections import corrected_xray_energies, override_yields

__all__ = [
    "ELEMENTS",
    "KINDS",
    "YEAR_S",
    "Lines",
    "Nuclide",
    "all_nuclides",
    "emission_lines",
    "half_life_s",
    "icrp107_lines",
    "is_radionuclide",
    "normalize_name",
    "nuclide",
]

YEAR_S = 365.2422 * 86400.0
"""Seconds per year as used by ICRP-107 and radioactivedecay (tropical year, 365.2422 d)."""

_TIME_UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "y": YEAR_S}

KINDS = ("gamma", "xray", "annihilation")
"""Photon kinds: nuclear gamma rays, X-rays (K, L, M …) and 511 keV annihilation photons from beta+ decay."""

_ICRP_KEYS = {"gamma": "gamma", "xray": "X", "annihilation": "annihilation"}

# fmt: off
ELEMENTS = (
    "n", "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar",
    "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr",
    "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe",
    "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
    "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra",
    "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db",
    "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
)
"""Element symbols indexed by atomic number Z (index 0 is the neutron placeholder)."""
# fmt: on

_Z_OF = {sym.lower(): z for z, sym in enumerate(ELEMENTS) if z > 0}
_STATES = {"": "", "m": "m", "m1": "m", "n": "n", "m2": "n"}
_SYMBOL_FIRST = re.compile(r"^([a-z]{1,2})-?(\d{1,3})(m1|m2|m|n)?$")
_MASS_FIRST = re.compile(r"^(\d{1,3})(m1|m2|m|n)?-?([a-z]{1,2})$")


def _parse(name: str) -> tuple[str, int, str]:
    if not isinstance(name, str):
        raise UnknownNuclideError(f"nuclide name must be a string, not {type(name).__name__}")
    text = re.sub(r"[\s_]+", "", name.strip()).replace("\u2010", "-").replace("\u2212", "-").lower()
    match = _SYMBOL_FIRST.match(text)
    if match:
        symbol, mass, state = match.group(1), match.group(2), match.group(3) or ""
    else:
        match = _MASS_FIRST.match(text)
        if not match:
            raise UnknownNuclideError(f"cannot read nuclide name {name!r} (expected e.g. 'Cs-137', 'Tc-99m')")
        mass, state, symbol = match.group(1), match.group(2) or "", match.group(3)
    z = _Z_OF.get(symbol)
    a = int(mass)
    if z is None:
        raise UnknownNuclideError(f"unknown element {symbol!r} in nuclide name {name!r}")
    if a < z:
        raise UnknownNuclideError(f"mass number {a} below atomic number {z} in {name!r}")
    return ELEMENTS[z], a, _STATES[state]


def normalize_name(name: str) -> str:
    """Canonical nuclide name: ``cs137``, ``137Cs``, ``CS-137`` → ``Cs-137``; ``Tc99m`` → ``Tc-99m``.

    Purely syntactic (element symbol and mass number are checked, library membership is not).
    Raises :class:`UnknownNuclideError` if the text is not a nuclide name.
    """
    symbol, a, state = _parse(name)
    return f"{symbol}-{a}{state}"


def _data_dir():
    return resources.files("icrp107_database") / "icrp107"


@functools.lru_cache(maxsize=1)
def all_nuclides() -> tuple[str, ...]:
    """Names of all 1252 ICRP-107 radionuclides, sorted by Z, A, isomeric state."""
    names = [p.name[:-5] for p in _data_dir().iterdir() if p.name.endswith(".json")]
    parsed = {n: _parse(n) for n in names}
    return tuple(sorted(names, key=lambda n: (_Z_OF[parsed[n][0].lower()], parsed[n][1], parsed[n][2])))


@functools.lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(all_nuclides())


def is_radionuclide(name: str) -> bool:
    """True if ``name`` parses and is one of the ICRP-107 radionuclides."""
    try:
        return normalize_name(name) in _known()
    except UnknownNuclideError:
        return False


def _canonical_known(name: str) -> str:
    canonical = normalize_name(name)
    if canonical not in _known():
        raise UnknownNuclideError(f"{canonical} is not an ICRP-107 radionuclide (stable or not tabulated)")
    return canonical


@dataclass(frozen=True)
class _Record:
    half_life_s: float
    lines: dict[str, tuple[np.ndarray, np.ndarray]]  # kind -> (energy keV, yield per decay)


def _icrp_json(canonical: str) -> dict:
    text = (_data_dir() / f"{canonical}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if isinstance(data, str):  # icrp107-database stores each file as a JSON-encoded JSON string
        data = json.loads(data)
    return data


def icrp107_lines(name: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Uncorrected ICRP-107 (energy keV, yield per decay) of one photon ``kind``; for provenance checks and
    for :func:`radnuc.physics.line_corrections.build_xray_energy_map`. Use :func:`emission_lines` otherwise."""
    rows = _icrp_json(_canonical_known(name))["emissions"].get(_ICRP_KEYS[kind]) or []
    arr = np.asarray(rows, dtype=float).reshape(-1, 2)
    return arr[:, 0] * 1000.0, arr[:, 1]


@functools.cache
def _record(canonical: str) -> _Record:
    data = _icrp_json(canonical)
    half_life = float(data["half_life"]) * _TIME_UNITS_S[data["time_unit"]]
    lines = {}
    for kind, key in _ICRP_KEYS.items():
        rows = data["emissions"].get(key) or []
        arr = np.asarray(rows, dtype=float).reshape(-1, 2)
        energy, weight = arr[:, 0] * 1000.0, arr[:, 1]
        if kind == "xray":
            energy = corrected_xray_energies(energy)
        elif kind == "gamma":
            weight = override_yields(canonical, energy, weight)
        energy.flags.writeable = False
        weight.flags.writeable = False
        lines[kind] = (energy, weight)
    return _Record(half_life, lines)


def half_life_s(name: str) -> float:
    """Half-life (s) of an ICRP-107 radionuclide."""
    return _record(_canonical_known(name)).half_life_s


@dataclass(frozen=True)
class Nuclide:
    """A radionuclide of the library: canonical ``name``, atomic number ``Z``, mass number ``A``,
    isomeric ``state`` ('' ground, 'm', 'n'), half-life (s, ICRP-107) and N42.34 ``category``."""

    name: str
    Z: int
    A: int
    state: str
    half_life_s: float
    category: str

    @property
    def half_life_y(self) -> float:
        """Half-life in years (365.2422 d)."""
        return self.half_life_s / YEAR_S

    @property
    def decay_constant_per_s(self) -> float:
        """Decay constant λ = ln 2 / T½ (1/s)."""
        return float(np.log(2.0) / self.half_life_s)


@functools.cache
def nuclide(name: str) -> Nuclide:
    """The :class:`Nuclide` for ``name`` (any spelling); :class:`UnknownNuclideError` if not in ICRP-107."""
    from radnuc.physics.categories import category  # local: categories imports this module

    canonical = _canonical_known(name)
    symbol, a, state = _parse(canonical)
    z = _Z_OF[symbol.lower()]
    return Nuclide(canonical, z, a, state, _record(canonical).half_life_s, category(canonical))


@dataclass(frozen=True, eq=False)
class Lines:
    """Photon lines: ``energy_kev`` (keV, ascending), ``intensity`` (photons per decay for one nuclide;
    photons per second per unit of a :class:`~radnuc.physics.sources.Source`), ``kind`` ('gamma' | 'xray' |
    'annihilation') and ``origin`` (the nuclide emitting the line; after merging, the largest contributor)."""

    energy_kev: np.ndarray
    intensity: np.ndarray
    kind: np.ndarray
    origin: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.energy_kev)
        if not (len(self.intensity) == len(self.kind) == len(self.origin) == n):
            raise ValueError("Lines arrays must have the same length")

    @classmethod
    def empty(cls) -> Lines:
        """No lines."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0, dtype="<U12"), np.zeros(0, dtype="<U10"))

    @classmethod
    def concat(cls, parts: Sequence[Lines]) -> Lines:
        """All lines of ``parts`` in one object, sorted by energy (no merging)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        energy = np.concatenate([p.energy_kev for p in parts])
        order = np.argsort(energy, kind="stable")
        return cls(
            energy[order],
            np.concatenate([p.intensity for p in parts])[order],
            np.concatenate([p.kind for p in parts])[order],
            np.concatenate([p.origin for p in parts])[order],
        )

    def __len__(self) -> int:
        return len(self.energy_kev)

    def _take(self, index) -> Lines:
        return Lines(self.energy_kev[index], self.intensity[index], self.kind[index], self.origin[index])

    def select(
        self,
        kinds: Iterable[str] | None = None,
        min_energy_kev: float = 0.0,
        max_energy_kev: float = np.inf,
        min_intensity: float = 0.0,
    ) -> Lines:
        """Lines of the given kinds within [min_energy_kev, max_energy_kev], intensity ≥ ``min_intensity``."""
        keep = (self.energy_kev >= min_energy_kev) & (self.energy_kev <= max_energy_kev)
        keep &= self.intensity >= min_intensity
        if kinds is not None:
            keep &= np.isin(self.kind, list(kinds))
        return self._take(keep)

    @property
    def gamma(self) -> Lines:
        """Gamma-ray lines only."""
        return self.select(["gamma"])

    @property
    def xray(self) -> Lines:
        """X-ray lines only."""
        return self.select(["xray"])

    def scaled(self, factor: float) -> Lines:
        """Intensities multiplied by ``factor`` (e.g. an activity in Bq)."""
        return Lines(self.energy_kev, self.intensity * factor, self.kind, self.origin)

    def strongest(self, n: int) -> Lines:
        """The ``n`` most intense lines, in ascending energy."""
        if n >= len(self):
            return self
        index = np.sort(np.argsort(self.intensity, kind="stable")[::-1][:n])
        return self._take(index)

    def intensity_at(
        self, energy_kev: float, tolerance_kev: float = 0.5, kinds: Iterable[str] | None = None
    ) -> float:
        """Summed intensity of the lines within ± ``tolerance_kev`` of ``energy_kev``."""
        sub = self.select(kinds, energy_kev - tolerance_kev, energy_kev + tolerance_kev)
        return float(sub.intensity.sum())

    def total(self) -> float:
        """Summed intensity of all lines."""
        return float(self.intensity.sum())

    def merged(self, tolerance_kev: float = 0.01) -> Lines:
        """Lines of the same kind closer than ``tolerance_kev`` (keV) combined: intensities summed, energy the
        intensity-weighted mean, origin the largest contributor."""
        if len(self) < 2:
            return self
        kinds = np.unique(self.kind)
        parts = []
        for kind in kinds:
            sub = self._take(self.kind == kind)
            order = np.argsort(sub.energy_kev, kind="stable")
            e, w, o = sub.energy_kev[order], sub.intensity[order], sub.origin[order]
            group = np.concatenate([[0], np.cumsum(np.diff(e) > tolerance_kev)])
            n_groups = int(group[-1]) + 1
            w_sum = np.bincount(group, weights=w, minlength=n_groups)
            e_sum = np.bincount(group, weights=e * w, minlength=n_groups)
            e_first = e[np.searchsorted(group, np.arange(n_groups))]
            energy = np.where(w_sum > 0, e_sum / np.where(w_sum > 0, w_sum, 1.0), e_first)
            best = np.lexsort((-w, group))  # within each group, largest intensity first
            first = best[np.searchsorted(group[best], np.arange(n_groups))]
            parts.append(Lines(energy, w_sum, np.full(n_groups, kind, dtype="<U12"), o[first]))
        return Lines.concat(parts)

    def as_rows(self) -> list[tuple[float, float, str, str]]:
        """(energy keV, intensity, kind, origin) tuples, for reports and tests."""
        return [
            (float(e), float(i), str(k), str(o))
            for e, i, k, o in zip(self.energy_kev, self.intensity, self.kind, self.origin, strict=True)
        ]


def emission_lines(
    name: str,
    kinds: Iterable[str] = KINDS,
    min_energy_kev: float = 0.0,
    min_yield: float = 0.0,
) -> Lines:
    """Photon lines of one nuclide alone (no daughters): energies (keV), yields (photons per decay), ICRP-107.

    ``kinds`` chooses among 'gamma', 'xray', 'annihilation' (511 keV, two per beta+ decay). Lines below
    ``min_energy_kev`` or with yield below ``min_yield`` are dropped. The library holds many L/M-shell X-rays
    under 10 keV that detectors do not see; pass ``min_energy_kev`` to skip them.
    """
    canonical = _canonical_known(name)
    record = _record(canonical)
    parts = []
    for kind in kinds:
        if kind not in _ICRP_KEYS:
            raise ValueError(f"unknown photon kind {kind!r}; expected one of {KINDS}")
        energy, weight = record.lines[kind]
        keep = (energy >= min_energy_kev) & (weight >= min_yield) & (weight > 0)
        n = int(keep.sum())
        kind_col, origin_col = np.full(n, kind, dtype="<U12"), np.full(n, canonical, dtype="<U10")
        parts.append(Lines(energy[keep], weight[keep], kind_col, origin_col))
    return Lines.concat(parts)

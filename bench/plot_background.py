"""Plot the natural-background model's components for a detector (docs/img/background_<kind>.png).

    python bench/plot_background.py                 # hpge-40pct and nai-3x3
    python bench/plot_background.py csi-pocket

Components: K-40, U-238 and Th-232 series lines, terrestrial scatter (a continuum folded with the response), cosmic
continuum; counts per second per keV at the UNSCEAR world-median soil concentrations (radnuc.physics.background).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from radnuc.physics.background import background_spectrum

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = {"hpge-40pct": 8192}


def plot(kind: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.linspace(0.0, 3000.0, CHANNELS.get(kind, 1024) + 1)
    cen = 0.5 * (edges[1:] + edges[:-1])
    width = np.diff(edges)
    comp = background_spectrum(kind, edges, components=True)
    fig, ax = plt.subplots(figsize=(9, 5))
    for name, style in (("total", "k-"), ("K40", "C0-"), ("U238", "C1-"), ("Th232", "C2-"), ("scatter", "C3--"),
                        ("cosmic", "C4:")):
        ax.plot(cen, comp[name] / width, style, lw=0.8 if name != "total" else 1.0, label=name)
    top = float(np.max(comp["total"][cen > 40] / width[cen > 40]))
    ax.set_yscale("log")
    ax.set_ylim(top * 1e-5, top * 3)
    ax.set_xlim(0, 3000)
    ax.set_xlabel("energy (keV)")
    ax.set_ylabel("counts / s / keV")
    ax.set_title(f"natural background model, {kind} (UNSCEAR world-median soil, 1 m)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv: list[str]) -> int:
    for kind in argv or ["hpge-40pct", "nai-3x3"]:
        out = ROOT / "docs" / "img" / f"background_{kind}.png"
        plot(kind, out)
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

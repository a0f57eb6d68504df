"""Generate the bundled Monte Carlo photon-transport tables of the detector response.

    python bench/generate_transport_mc.py                       # all kinds, 200 000 histories per energy
    python bench/generate_transport_mc.py --kinds nai-3x3 --histories 20000 --out /tmp/mc

Writes src/radnuc/physics/data/transport_mc/<kind>.csv (header: generator, histories, seed, date, geometry);
see radnuc.physics.transport_mc for the physics and docs/physics-response.md for the results.
"""

from __future__ import annotations

import sys

from radnuc.physics.transport_mc import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not any(a.startswith("--histories") for a in args):
        args += ["--histories", "200000"]
    if not any(a.startswith("--seed") for a in args):
        args += ["--seed", "20261204"]
    raise SystemExit(main(args + ["--generator", "python bench/generate_transport_mc.py"]))

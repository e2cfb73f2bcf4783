"""How responsive the workshop app is: the cost of one week, and of drawing it.

Times, for the standard organisation (60 seats, the default plan), a Reset
(building the model and simulating its warm-up year), a step of the app's
model alone and with a compared plan (side-by-side mode), a step of the
largest organisation the controls offer (240 seats), and the time Solara
takes to render each live view after a step (figure drawn and encoded as PNG,
as the browser receives it). Steps are timed over the first year; the report
gives the median and the 95th percentile in milliseconds.

A benchmark reports; it is not a test: it exits 0 unless ``--check`` is given,
in which case it exits 1 when the 95th percentile of a standard step is not
under the target (100 ms).

    python benchmarks/bench_app.py [--weeks 52] [--check]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib.metadata import version

import numpy as np

os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")  # Mesa 3.3 trips Solara's hook linter

from salesim_app.model import WorkshopModel  # noqa: E402

TARGET_MS = 100.0


def step_times(weeks: int, **kwargs: object) -> np.ndarray:
    """Milliseconds of each of ``weeks`` steps of a fresh app model."""
    model = WorkshopModel(**kwargs)
    out = np.empty(weeks)
    for k in range(weeks):
        t = time.perf_counter()
        model.step()
        out[k] = (time.perf_counter() - t) * 1e3
    return out


def render_times(weeks: int, repeats: int = 3) -> dict[str, float]:
    """Median milliseconds Solara takes to render each view of a model at week ``weeks``."""
    import solara

    from salesim_app.components import COMPONENTS

    model = WorkshopModel(compare="ranking")
    for _ in range(weeks):
        model.step()
    out = {}
    for k, (component, _page) in enumerate(COMPONENTS):
        name = f"{k} {component.__name__}"

        @solara.component
        def Page(component=component):
            return component(model)

        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            _, rc = solara.render(Page(), handle_error=False)
            times.append((time.perf_counter() - t) * 1e3)
            rc.close()
        out[name] = float(np.median(times))
    return out


def reset_times(repeats: int, **kwargs: object) -> np.ndarray:
    """Milliseconds of building an app model, warm-up year included (what Reset costs)."""
    out = np.empty(repeats)
    for k in range(repeats):
        t = time.perf_counter()
        WorkshopModel(**kwargs)
        out[k] = (time.perf_counter() - t) * 1e3
    return out


def summary(label: str, ms: np.ndarray) -> str:
    return f"{label:<44} median {np.median(ms):6.2f} ms   p95 {np.percentile(ms, 95):6.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, Mesa {version('mesa')}, "
        f"Solara {version('solara')}, {args.weeks} weeks"
    )
    standard = step_times(args.weeks)
    print(summary("step, standard organisation (60 seats)", standard))
    print(
        summary(
            "step, side by side (quota_bonus vs ranking)", step_times(args.weeks, compare="ranking")
        )
    )
    print(
        summary("step, 240 seats (largest offered)", step_times(args.weeks, **{"org.n_reps": 240}))
    )
    print(summary("reset: build + warm-up year (60 seats)", reset_times(5)))
    print(summary("reset, side by side", reset_times(5, compare="ranking")))
    renders = render_times(args.weeks)
    for name, ms in renders.items():
        print(f"render {name:<37} {ms:6.1f} ms")
    print(f"render, all views (side by side)             {sum(renders.values()):6.1f} ms")
    if args.check and np.percentile(standard, 95) >= TARGET_MS:
        print(f"FAIL: p95 of a standard step is not under {TARGET_MS:g} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

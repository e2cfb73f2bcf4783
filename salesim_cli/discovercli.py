"""``salesim-discover``: scenario discovery, the settings under which a condition holds.

    salesim-discover sens_out "turnover_total>0.4"            # a design's or sweep's folder
    salesim-discover multirun/.../outcomes.parquet "share_at_quota<=0.3" --out disc
    salesim-discover sens_out "turnover_total>0.4" --min-mass 0.1 --peel-alpha 0.1

Reads a results pair (:mod:`simulator.results`: ``runs.parquet``, the inputs,
and ``outcomes.parquet``, the metrics; a folder, or either file, which means
its folder), flags the runs where the condition holds (``OUTCOME OP NUMBER``,
OP one of ``>``, ``>=``, ``<``, ``<=``), and explains them by the inputs that
vary across the runs (:func:`simulator.discover.discovery_table`) two ways:

- PRIM (:func:`simulator.prim.prim`): the peeling trajectory and the box
  chosen from it, the first with density at least ``--threshold-density``
  (default 0.8), or with ``--min-mass M`` the last before the mass falls
  below ``M``: its limits on the inputs it restricts, each with its
  quasi-p-value, and its coverage, density and mass; ``--max-qp P`` drops the
  restrictions above ``P`` (edges trimmed by chance);
- a shallow decision tree (scikit-learn, ``--tree-depth``, default 3), as rules,
  one per leaf (categorical inputs one-hot encoded for it).

It prints a short summary and writes into ``--out`` (default ``./discover``):
``discover.json`` (the condition, the box, the trajectory with each step's
limits, the tree's rules) and ``peeling.png`` (coverage against density, one
point per step, coloured by the number of restricted inputs).
Bad input gives one line, ``salesim-discover: error: ...``, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from salesim_cli.errors import OneLineParser, fail
from simulator.discover import DiscoverError, Discovery, discovery_table
from simulator.io import json_value, read_inputs, read_outcomes, write_atomic
from simulator.prim import MIN_MASS, PEEL_ALPHA, THRESHOLD_DENSITY, PrimResult, limit_text, prim
from simulator.results import INPUTS_FILE, OUTCOMES_FILE, ResultsError

PROG = "salesim-discover"
TREE_DEPTHS = (1, 2, 3, 4)
TREE_SEED = 0  # the tree's random_state: ties between equally good splits break the same way
MIN_LEAF_SHARE = 0.01  # a tree leaf holds at least this share of the runs (and 5 runs)
MIN_LEAF_RUNS = 5


def _fail(message: str) -> NoReturn:
    fail(message, PROG)


# ---------------------------------------------------------------- reading


def read_pair(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The inputs and outcomes tables of a results folder, or of the folder of either file.

    Raises:
        ResultsError: for a missing path, another file, or a missing or corrupt table.
    """
    path = Path(path)
    if not path.exists():
        raise ResultsError(f"{path}: no such file or folder; give a results folder")
    if path.is_file():
        if path.name not in (INPUTS_FILE, OUTCOMES_FILE):
            raise ResultsError(
                f"{path}: not a results file; give a results folder or its "
                f"{INPUTS_FILE} or {OUTCOMES_FILE}"
            )
        path = path.parent
    return read_inputs(path), read_outcomes(path)


# ---------------------------------------------------------------- the tree


def tree_rules(
    x: pd.DataFrame, y: np.ndarray, max_depth: int = 3
) -> tuple[list[dict[str, Any]], float]:
    """A shallow decision tree of ``y`` on ``x`` as one rule per leaf, and its accuracy.

    Categorical inputs are one-hot encoded (``name=value``); a rule's
    conditions on one input are merged (``0.2 < x <= 0.5``, ``plan.name in
    {a, b}``). Each rule holds ``conditions`` (text), ``inputs`` (names),
    ``n_runs``, ``share_true`` (the condition's density in the leaf),
    ``coverage`` and ``predicts`` (the tree's verdict); leaves where the
    tree predicts the condition come first, densest first.
    """
    from sklearn.tree import DecisionTreeClassifier

    features, origin = _one_hot(x)
    min_leaf = max(MIN_LEAF_RUNS, int(MIN_LEAF_SHARE * len(x)))
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=min_leaf, random_state=TREE_SEED
    )
    matrix = features.to_numpy(dtype=float)
    tree.fit(matrix, y)
    accuracy = float(tree.score(matrix, y))
    leaves = tree.apply(matrix)
    t, n_true = tree.tree_, int(y.sum())
    rules = []

    def walk(node: int, path: list[tuple[int, bool, float]]) -> None:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            in_leaf = leaves == node
            hits = int(y[in_leaf].sum())
            conditions, inputs = _conditions(path, list(features.columns), origin)
            rules.append(
                {
                    "conditions": conditions,
                    "inputs": inputs,
                    "n_runs": int(in_leaf.sum()),
                    "share_true": hits / max(int(in_leaf.sum()), 1),
                    "coverage": hits / n_true,
                    "predicts": bool(tree.classes_[int(np.argmax(t.value[node][0]))]),
                }
            )
            return
        feature, cut = int(t.feature[node]), float(t.threshold[node])
        walk(int(t.children_left[node]), [*path, (feature, False, cut)])
        walk(int(t.children_right[node]), [*path, (feature, True, cut)])

    walk(0, [])
    rules.sort(key=lambda r: (not r["predicts"], -r["share_true"], -r["n_runs"]))
    return rules, accuracy


def _one_hot(x: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, tuple[str, str | None]]]:
    """Numeric columns as they are, categorical ones as ``name=value`` 0/1 columns.

    ``origin`` maps each feature to its input and, for a one-hot column, its value.
    """
    columns: dict[str, pd.Series] = {}
    origin: dict[str, tuple[str, str | None]] = {}
    for name in x.columns:
        if pd.api.types.is_float_dtype(x[name]):
            columns[name], origin[name] = x[name], (name, None)
            continue
        for value in sorted(x[name].unique()):
            feature = f"{name}={value}"
            columns[feature] = (x[name] == value).astype(float)
            origin[feature] = (name, str(value))
    return pd.DataFrame(columns, index=x.index), origin


def _conditions(
    path: list[tuple[int, bool, float]],
    features: list[str],
    origin: dict[str, tuple[str, str | None]],
) -> tuple[list[str], list[str]]:
    """A leaf's path as merged conditions per input, and the inputs in order of first use."""
    bounds: dict[str, list[float | None]] = {}
    chosen: dict[str, str] = {}
    excluded: dict[str, list[str]] = {}
    order: list[str] = []
    for index, above, cut in path:
        name, value = origin[features[index]]
        if name not in order:
            order.append(name)
        if value is None:  # a numeric input: above the cut narrows from below
            limits = bounds.setdefault(name, [None, None])
            side = 0 if above else 1
            narrower = max if above else min
            limits[side] = cut if limits[side] is None else narrower(limits[side], cut)
        elif above:  # the one-hot column is 1: the input has this value
            chosen[name] = value
        else:
            excluded.setdefault(name, []).append(value)
    texts = []
    for name in order:
        if name in bounds:
            lo, hi = bounds[name]
            if lo is not None and hi is not None:
                texts.append(f"{lo:.4g} < {name} <= {hi:.4g}")
            else:
                texts.append(f"{name} > {lo:.4g}" if lo is not None else f"{name} <= {hi:.4g}")
        elif name in chosen:
            texts.append(f"{name} = {chosen[name]}")
        elif len(excluded[name]) == 1:
            texts.append(f"{name} != {excluded[name][0]}")
        else:
            texts.append(f"{name} not in {{{', '.join(excluded[name])}}}")
    return texts, order


# ---------------------------------------------------------------- the figure


def plot_peeling(result: PrimResult, path: Path, title: str = "") -> Path:
    """Save the peeling trajectory as PNG: coverage against density, coloured by restricted inputs.

    The chosen box is ringed and labelled with its step and restricted inputs;
    a pruned box is a star.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import BoundaryNorm
    from matplotlib.figure import Figure

    table = result.trajectory_table()
    most = max(int(table["n_restricted"].max()), 1)
    fig = Figure(figsize=(7.2, 5.0), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(table["coverage"], table["density"], color="0.75", linewidth=0.8, zorder=1)
    norm = BoundaryNorm(np.arange(-0.5, most + 1.5), ncolors=256)
    points = ax.scatter(
        table["coverage"],
        table["density"],
        c=table["n_restricted"],
        cmap="viridis",
        norm=norm,
        s=22,
        edgecolors="black",
        linewidths=0.3,
        zorder=2,
    )
    bar = fig.colorbar(points, ax=ax, ticks=range(most + 1))
    bar.set_label("restricted inputs")
    threshold = result.settings.get("threshold_density")
    if threshold is not None:
        ax.axhline(threshold, color="0.4", linestyle="--", linewidth=0.8, zorder=1)
        ax.annotate(
            f"threshold density {threshold:g}",
            (0.01, threshold),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            fontsize="small",
            color="0.3",
        )
    box, chosen = result.box, result.peeled_box
    ax.scatter(
        [chosen.coverage],
        [chosen.density],
        s=160,
        facecolors="none",
        edgecolors="red",
        zorder=3,
        label=f"chosen: step {chosen.step}",
    )
    head = f"step {box.step}"
    if result.pruned is not None:
        ax.scatter(
            [box.coverage],
            [box.density],
            s=120,
            marker="*",
            color="red",
            zorder=3,
            label=f"pruned: qp <= {result.settings['max_qp']:g}",
        )
        head += f", pruned to {box.n_restricted} of {chosen.n_restricted} restrictions"
    numbers = f"coverage {box.coverage:.2f}, density {box.density:.2f}, mass {box.mass:.2f}"
    label = "\n".join([head, numbers, *(limit_text(k, v) for k, v in box.limits.items())])
    ax.annotate(  # the trajectory runs from bottom right to top left: the corner is free
        label,
        (box.coverage, box.density),
        xytext=(0.03, 0.04),
        textcoords="axes fraction",
        ha="left",
        va="bottom",
        fontsize="small",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.6", "alpha": 0.9},
        arrowprops={"arrowstyle": "->", "color": "0.4", "linewidth": 0.8},
    )
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    ax.set_xlabel("coverage (share of the runs where the condition holds that are in the box)")
    ax.set_ylabel("density (share of the box's runs where it holds)")
    ax.set_xlim(min(0.0, table["coverage"].min()), 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


# ---------------------------------------------------------------- words and files


def report(
    found: Discovery, result: PrimResult, rules: list[dict[str, Any]], accuracy: float
) -> dict[str, Any]:
    """Everything ``discover.json`` holds."""
    return {
        "condition": str(found.condition),
        "n_runs": result.n_runs,
        "n_true": result.n_true,
        "n_missing": found.n_missing,
        "inputs": {
            name: "numeric" if pd.api.types.is_float_dtype(found.x[name]) else "categorical"
            for name in found.x.columns
        },
        "settings": result.settings,
        "rule": result.rule,
        "box": result.box.row(),
        "significance": result.significance,
        "peeled_box": result.peeled_box.row(),
        "dropped": result.dropped,
        "trajectory": [s.row() for s in result.trajectory],
        "tree": {"accuracy": accuracy, "rules": rules},
    }


def summary_text(
    found: Discovery, result: PrimResult, rules: list[dict[str, Any]], accuracy: float, depth: int
) -> str:
    """What the command prints: the condition's share, the box, the tree's rules."""
    box = result.box
    missing = f" ({found.n_missing} without a value left out)" if found.n_missing else ""
    pruned = (
        f"; dropped {', '.join(result.dropped)} (quasi-p-value above {result.settings['max_qp']:g})"
        if result.dropped
        else ""
    )
    width = max((len(limit_text(k, v)) for k, v in box.limits.items()), default=0)
    lines = [
        f"{found.condition} holds for {result.n_true} of {result.n_runs} runs "
        f"({result.n_true / result.n_runs:.1%}){missing}; "
        f"{found.x.shape[1]} inputs vary: {', '.join(found.x.columns)}",
        f"PRIM box: step {box.step} of {len(result.trajectory) - 1}, {result.rule}{pruned}",
        f"  coverage {box.coverage:.3f}, density {box.density:.3f}, mass {box.mass:.3f} "
        f"({box.n_runs} runs)",
        *(
            f"  {limit_text(k, v):<{width}}  qp {s['qp']:.2g}; without it density "
            f"{s['density_without']:.3f}, coverage {s['coverage_without']:.3f}"
            for (k, v), s in zip(box.limits.items(), result.significance.values(), strict=True)
        ),
        *([] if box.limits else ["  (no input restricted)"]),
        f"decision tree (depth {depth}, training accuracy {accuracy:.3f}):",
    ]
    for rule in rules:
        verdict = "holds" if rule["predicts"] else "not  "
        lines.append(
            f"  {verdict} {rule['share_true']:>4.0%} of {rule['n_runs']:>4} runs "
            f"(coverage {rule['coverage']:>4.0%}): "
            + (" and ".join(rule["conditions"]) or "every run")
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Scenario discovery: find the boxes of input space where a condition on an "
        "outcome holds (PRIM), with a shallow decision tree as a second view.",
        epilog="Inputs are the columns of runs.parquet that vary across runs (keys left out); "
        "text and flag inputs are categorical.",
    )
    parser.add_argument("results", type=Path, help="a results folder, or its runs.parquet")
    parser.add_argument("condition", help="OUTCOME OP NUMBER, OP one of >, >=, <, <=")
    parser.add_argument(
        "--out", type=Path, default=Path("discover"), metavar="DIR", help="output folder"
    )
    choose = parser.add_mutually_exclusive_group()
    choose.add_argument(
        "--threshold-density",
        type=float,
        metavar="D",
        help=f"choose the first box with density >= D (default {THRESHOLD_DENSITY})",
    )
    choose.add_argument(
        "--min-mass",
        type=float,
        metavar="M",
        help=f"peel until the mass would fall below M and choose the last box "
        f"(default: peel to {MIN_MASS})",
    )
    parser.add_argument(
        "--peel-alpha",
        type=float,
        default=PEEL_ALPHA,
        metavar="A",
        help=f"share of the box's runs one peel removes (default {PEEL_ALPHA})",
    )
    parser.add_argument(
        "--max-qp",
        type=float,
        metavar="P",
        help="drop the box's restrictions whose quasi-p-value is above P, least "
        "significant first (default: keep every restriction)",
    )
    parser.add_argument(
        "--tree-depth",
        type=int,
        default=3,
        choices=TREE_DEPTHS,
        help="depth of the decision tree (default 3)",
    )
    return parser


def check_options(args: argparse.Namespace) -> None:
    """Refuse option values PRIM cannot use, in one line naming the option."""
    if not 0 < args.peel_alpha < 0.5:
        _fail(f"--peel-alpha = {args.peel_alpha:g}: must be above 0 and below 0.5")
    if args.min_mass is not None and not 0 < args.min_mass < 1:
        _fail(f"--min-mass = {args.min_mass:g}: must be above 0 and below 1")
    if args.threshold_density is not None and not 0 < args.threshold_density <= 1:
        _fail(f"--threshold-density = {args.threshold_density:g}: must be above 0 and at most 1")
    if args.max_qp is not None and not 0 < args.max_qp < 1:
        _fail(f"--max-qp = {args.max_qp:g}: must be above 0 and below 1")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = _parser().parse_args(argv)
    check_options(args)
    by_mass = args.min_mass is not None
    density = THRESHOLD_DENSITY if args.threshold_density is None else args.threshold_density
    try:
        inputs, outcomes = read_pair(args.results)
        found = discovery_table(inputs, outcomes, args.condition)
        result = prim(
            found.x,
            found.y,
            peel_alpha=args.peel_alpha,
            min_mass=args.min_mass if by_mass else MIN_MASS,
            threshold_density=None if by_mass else density,
            max_qp=args.max_qp,
        )
    except (DiscoverError, ResultsError) as err:
        _fail(str(err))
    rules, accuracy = tree_rules(found.x, found.y, args.tree_depth)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(f"--out {out}: {err.strerror or err}")
    data = report(found, result, rules, accuracy)
    text = json.dumps(_plain(data), indent=2, allow_nan=False) + "\n"
    files = [
        write_atomic(out / "discover.json", lambda p: p.write_text(text, encoding="utf-8")),
        write_atomic(
            out / "peeling.png",
            lambda p: plot_peeling(result, p, f"PRIM peeling: {found.condition}"),
        ),
    ]
    print(summary_text(found, result, rules, accuracy, args.tree_depth))
    print("files:", *(f"  {f.resolve()}" for f in files), sep="\n")


def _plain(value: Any) -> Any:
    """``value`` with numpy numbers as Python numbers and NaN as null, nested."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return json_value(value)


if __name__ == "__main__":
    main()

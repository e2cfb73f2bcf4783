"""Behavioural constants are declared parameters, not numbers buried in the engine.

Every numeric literal in the engine's decision and state-update code must be
trivial (0, 1, 2, -1, 0.5, or an epsilon under 1e-6 guarding a division) or
sit in a module-level constant marked as not behaviour (see
:data:`NOT_BEHAVIOUR`). A new literal fails the test: declare it in
:mod:`simulator.params` with its unit, range and doc, so it reaches README, the
ODD, the app, sweeps and the calibration (issue 12, item 3: none is left
undeclared).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRIVIAL = {0, 1, 2, -1, 0.5}
EPSILON = 1e-6

#: the engine's decision and state-update code: no behavioural number may hide here
CHECKED = (
    "simulator/accounts.py",
    "simulator/batch.py",
    "simulator/customers.py",
    "simulator/agents/incentives.py",
    "simulator/agents/manager.py",
    "simulator/agents/rep.py",
    "simulator/agents/timing.py",
    "simulator/deals.py",
    "simulator/learning.py",
    "simulator/model.py",
    "simulator/payschedule.py",
    "simulator/people.py",
    "simulator/periods.py",
    "simulator/plans/components.py",
    "simulator/plans/payout.py",
    "simulator/plans/quota.py",
    "simulator/segments.py",
    "simulator/workforce.py",
)


#: kinds of number that are not behaviour. A literal is accepted in the value of a
#: module-level UPPER_CASE constant whose comment block opens ``#: <kind>: <why>``; the
#: same literal in a function, a default argument or an unmarked constant still fails
NOT_BEHAVIOUR = {
    "numerical": "how a computation is carried out: a floor guarding a division or a log, "
    "quadrature nodes, array growth, a grid's resolution",
    "structural": "the model's shape: how many buyer stages or random streams, a sentinel",
    "reporting": "how an outcome is measured or illustrated; no decision reads it",
}


def _marked_constant(stmt: ast.stmt, lines: list[str]) -> bool:
    """Whether ``stmt`` assigns an UPPER_CASE name under a ``#: <kind>: <why>`` comment."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    if not (
        isinstance(stmt, ast.Assign | ast.AnnAssign)
        and len(targets) == 1
        and isinstance(targets[0], ast.Name)
        and targets[0].id.isupper()
    ):
        return False
    row = stmt.lineno - 2  # the line above, 0-based
    while row > 0 and lines[row - 1].lstrip().startswith("#"):
        row -= 1  # up to the first line of the comment block
    if row < 0 or not lines[row].lstrip().startswith("#:"):
        return False
    kind, _, why = lines[row].lstrip()[2:].partition(":")
    return kind.strip() in NOT_BEHAVIOUR and bool(why.strip())


def literals(path: Path) -> Counter:
    """The non-trivial numeric literals of a module, outside docstrings and marked constants."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    accepted = {
        id(node) for stmt in tree.body if _marked_constant(stmt, lines) for node in ast.walk(stmt)
    }
    found: Counter = Counter()
    for node in ast.walk(tree):
        if id(node) in accepted:
            continue
        if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
            continue
        v = node.value
        if v in TRIVIAL or 0 < abs(v) < EPSILON:
            continue
        found[v] += 1
    return found


def test_the_reader_finds_a_buried_number(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""Doc 0.7."""\nx = 0.5 * y + 0.7 + 1e-9\n')
    assert literals(probe) == Counter({0.7: 1})


def test_only_a_marked_module_constant_may_hold_a_literal(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "#: numerical: a floor guarding the log\nFLOOR = 0.05\n"
        "#: a note\n#: that goes on\nPLAIN = 0.06\n"
        "#: numerical:\nBARE = 0.07\n"
        "#: behavioural: a rate\nRATE = 0.08\n"
        "#: numerical: lower case is a variable\nrate = 0.09\n"
        "#: structural: stages\n#: (five of them)\nSTAGES = 5\n"
        "def f(x, y=0.11):\n    #: numerical: not at module level\n    Z = 0.12\n"
        "    return max(x, 0.05)\n"
    )
    assert literals(probe) == Counter({v: 1 for v in (0.06, 0.07, 0.08, 0.09, 0.11, 0.12, 0.05)})


@pytest.mark.parametrize("module", CHECKED)
def test_no_undeclared_constant(module):
    found = literals(ROOT / module)
    assert not found, (
        f"{module}: numeric literal(s) {sorted(found.elements())} - declare each as a "
        "parameter in simulator/params/ (unit, range, doc), or, if it is not behaviour, "
        "name it in a module-level constant under a '#: <kind>: <why>' comment "
        f"(kinds: {', '.join(NOT_BEHAVIOUR)})"
    )


#: engine modules outside the decision and state-update code, and why
EXEMPT = {
    "simulator/__init__.py": "package marker",
    "simulator/agents/__init__.py": "package marker",
    "simulator/plans/__init__.py": "package marker",
    "simulator/params/__init__.py": "package marker: re-exports the parameter modules",
    "simulator/params/_declare.py": "where constants are declared",
    "simulator/params/buyers.py": "where constants are declared",
    "simulator/params/managers.py": "where constants are declared",
    "simulator/params/organisation.py": "where constants are declared",
    "simulator/params/plan.py": "where constants are declared",
    "simulator/params/reps.py": "where constants are declared",
    "simulator/params/sim.py": "where constants are declared",
    "simulator/params/validation.py": "checking parameters: the cross-field rules' tolerances",
    "simulator/prim.py": "PRIM's settings (peel share, minimum mass, density threshold): analysis",
    "simulator/design.py": "experimental designs: sample sizes and analysis defaults",
    "simulator/space.py": "experimental designs: parameter ranges and complements",
    "simulator/sampling.py": "experimental designs: sample sizes and analysis defaults",
    "simulator/sensitivity.py": "experimental designs: sample sizes and analysis defaults",
    "simulator/discover.py": "scenario discovery's inputs: analysis of finished results tables",
    "simulator/invariants.py": "accounting checks of finished tables (tolerances, not behaviour)",
    "simulator/history.py": "reading and checking a history file: its schema, not behaviour",
    "simulator/history_summary.py": "moments of a history file (definitions, not behaviour)",
    "simulator/history_fit.py": "fitting to a history: the estimator's loss and bootstrap settings",
    "simulator/history_study.py": "fitting to a history: the search's settings (recheck, spread)",
    "simulator/io.py": "file writing",
    "simulator/metrics.py": "summary metrics of finished tables (definitions, not behaviour)",
    "simulator/record.py": "recording into tables",
    "simulator/results.py": "the results tables' shape: run ids and seeds",
    "simulator/rows.py": "row building",
    "simulator/run.py": "running and replicating",
    "simulator/parallel.py": "mapping independent runs over worker processes",
    "simulator/scenario.py": "scenario files and comparisons",
    "simulator/studies.py": "the estimators' shared Huber cost and study bookkeeping",
    "simulator/winners.py": "comparing finished runs' pay by rank (bins, interval level)",
}


def test_every_engine_module_is_checked_or_exempt():
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "simulator").rglob("*.py")}
    unlisted = sorted(modules - set(CHECKED) - set(EXEMPT))
    assert not unlisted, f"add {unlisted} to CHECKED or EXEMPT (with a reason)"

"""salesim's front ends: the command lines, the report, the plots and the docs generators.

The engine (:mod:`simulator`) imports none of this, nor Hydra, argparse or
matplotlib: it takes parameter objects and returns tables. Here live the
``salesim`` Hydra entry point (:mod:`salesim_cli.cli`, configuration in
:mod:`salesim_cli.config`), the scenario runner, the payout calculator
(``salesim-pay``), sensitivity designs and optimisation on the command line,
the sweep callbacks, the figures and the HTML report, and the generators of
the parameter tables of docs/model.md and docs/ODD.md.
"""

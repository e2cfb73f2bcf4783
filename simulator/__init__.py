"""salesim: a sales-team simulation and incentive-design engine.

The front door is :func:`simulator.run.run_one`; parameters live in
:mod:`simulator.params`.
"""

__version__ = "0.1.0"

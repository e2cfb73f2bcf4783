"""Simulation-based estimation (the method of simulated moments) against the evidence base.

- :mod:`experiments.estimation.moments`: simulate the findings' experiments,
  estimate each finding, judge it, and the loss;
- :mod:`experiments.estimation.space`: the fitted parameters and their ranges;
- :mod:`experiments.estimation.study`: the Optuna study and the trial loop;
- :mod:`experiments.estimation.report`: the fitted defaults and the report.

The command is ``python -m experiments.estimate`` (``make calibrate``).
"""

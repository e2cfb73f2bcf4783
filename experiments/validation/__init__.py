"""Validation of the model against the stylized facts of MODEL.md section 5 (issue 5).

See :mod:`experiments.validation.facts` for the facts and their checks,
:mod:`experiments.validation.experiments` for running ``conf/experiment``, and
``python -m experiments.validation`` (``make validate``) for the report.
"""

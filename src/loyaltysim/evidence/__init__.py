"""The evidence that the model does what ``papers/odd.md`` says, and what it matches.

Functions shared by the test suite and notebook ``08_validation.ipynb``: the
tests run them at full size and assert, the notebook runs them smaller and
shows the numbers.

- :mod:`~loyaltysim.evidence.closed_forms` — degenerate markets against their
  closed forms (a cohort's discounted value, Bass diffusion, the one-claim
  condition for verifying);
- :mod:`~loyaltysim.evidence.reference` — the core model written the idiomatic
  Mesa way, one agent per customer (the docking partner and speed baseline);
- :mod:`~loyaltysim.evidence.docking` — the array model against the reference,
  outcome by outcome (Welch and Kolmogorov-Smirnov tests);
- :mod:`~loyaltysim.evidence.calibration` — the stylised facts of the
  literature, measured on a market;
- :mod:`~loyaltysim.evidence.cdnow` — real customers: the CDNOW transaction
  log, its calibration/holdout split, the holdout errors any model's forecast
  is judged by, and BG/NBD as the first model.
"""

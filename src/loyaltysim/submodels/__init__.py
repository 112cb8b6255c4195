"""The monthly submodels, one module each, in the order of the schedule.

1. :mod:`~loyaltysim.submodels.acquisition` — advertising, word of mouth, win-back
2. :mod:`~loyaltysim.submodels.purchases` — purchases and service failures (steps 2-3)
3. :mod:`~loyaltysim.submodels.claims` — claims filed and answered (steps 4 and 6)
4. :mod:`~loyaltysim.submodels.requests` — haggling and caprices, filed and answered (5 and 6)
5. :mod:`~loyaltysim.submodels.satisfaction` — drift and event effects (step 7)
6. :mod:`~loyaltysim.submodels.word_of_mouth` — messages and fraud tips (step 8)
7. :mod:`~loyaltysim.submodels.churn` — leaving the firm (step 9)
8. :mod:`~loyaltysim.submodels.ledger` — the monthly books (step 10)

Each is a function over the whole population; none loops over people.
"""

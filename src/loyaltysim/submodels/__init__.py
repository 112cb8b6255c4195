"""The monthly submodels, one module each, in the order of the schedule.

1. :mod:`~loyaltysim.submodels.outreach` — keep-in-touch contacts (step 1)
2. :mod:`~loyaltysim.submodels.acquisition` — advertising, WOM, outreach, promises,
   guarantee, win-back (step 1)
3. :mod:`~loyaltysim.submodels.purchases` — purchases, defects, broken promises (steps 2-3)
4. :mod:`~loyaltysim.submodels.claims` — claims filed, answered and settled (steps 4 and 6)
5. :mod:`~loyaltysim.submodels.requests` — haggling and caprices, filed and answered (5 and 6)
6. :mod:`~loyaltysim.submodels.recovery` — escalation to management, recovery paradox (step 6)
7. :mod:`~loyaltysim.submodels.listening` — learning from complaints (step 6)
8. :mod:`~loyaltysim.submodels.pruning` — dropping customers (step 6)
9. :mod:`~loyaltysim.submodels.satisfaction` — drift and event effects (step 7)
10. :mod:`~loyaltysim.submodels.word_of_mouth` — messages, public posts, fraud tips (step 8)
11. :mod:`~loyaltysim.submodels.churn` — leaving the firm, or being dropped (step 9)
12. :mod:`~loyaltysim.submodels.ledger` — the monthly books (step 10)

Each is a function over the whole population; none loops over people.
"""

"""Benchmarks: together_fn against the raw ``requests``/``aiohttp``/``json`` floor.

Run ``python -m benchmarks.run`` (``--quick`` for a smoke run). Nothing here is part of the
test suite: timings are printed, never asserted.
"""

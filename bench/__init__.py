"""Benchmarks and the synthetic corpus (bộ dữ liệu tổng hợp) they run on.

Run a benchmark as ``python -m bench.<name>``; ``python -m bench.run`` runs the quick set.
Benchmarks print JSON lines and never assert; tests never time.
"""

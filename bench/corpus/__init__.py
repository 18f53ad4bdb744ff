"""Synthetic, seed-deterministic corpus of scanned personnel documents (hồ sơ CBCCVC)."""

"""The proof suite's counts are printed by the root conftest (tests/conftest.py)."""

"""Test helpers: real-data paths, synthetic windows, fixtures in the official dataset formats."""

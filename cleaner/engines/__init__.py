"""Execution engines beyond the local runner (optional extras)."""

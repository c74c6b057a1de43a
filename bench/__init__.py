"""Benchmarks: the reference runtime against asyncio, trio and uvloop (see bench/README.md)."""

"""Differential fuzzing: random programs, checked in every mode against finite differences.

    python -m adjoint.fuzz --n 2000 --seed 0 --budget 600 --out fuzz_failures

generate.py makes programs, oracle.py judges one, shrink.py minimises a failure, campaign.py runs
many and writes the shrunk failures as importable files.
"""
from .generate import Program, generate
from .oracle import MODES, Result, check

__all__ = ["Program", "generate", "check", "MODES", "Result"]

"""Shared test set-up: headless plotting, and the tests folder importable (harness, submissions)."""
import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("COURSE_WIDGETS", "static")
sys.path.insert(0, str(Path(__file__).resolve().parent))

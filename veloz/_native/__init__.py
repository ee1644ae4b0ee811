"""Compiled core (Cython bindings over csrc/). Import the typed wrappers in `veloz` instead."""

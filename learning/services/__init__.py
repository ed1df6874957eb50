"""Writes of learning (work half), one module per part: lessons, feeds, executives, internal, cases."""

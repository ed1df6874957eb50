"""``make bench``: MESM's performance at scale, measured as ratios in one run (see docs/performance.md)."""

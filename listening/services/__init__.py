"""Writes of the listening stage. Views, API, tasks and commands call these, never SQL of their own."""

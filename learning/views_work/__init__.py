"""HTML pages of learning (work half): home, internal use, cases, executives, lessons."""

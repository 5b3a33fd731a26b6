"""Plumbing every stage shares: atomic writes, portable paths, file names, the output record, locks, PNG encoding."""

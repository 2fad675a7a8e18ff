"""Reception's rules (split by concern in the next step)."""

"""Engine-agnostic connector runtime: a job in, an outcome out."""

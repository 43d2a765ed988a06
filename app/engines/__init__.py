"""Engine adapters: one package per engine, the only place that imports its client."""

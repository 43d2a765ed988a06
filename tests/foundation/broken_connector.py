"""A connector module that fails at import time."""

raise RuntimeError("this connector module is broken on purpose")

"""together_fn."""

__version__ = "0.1.0"

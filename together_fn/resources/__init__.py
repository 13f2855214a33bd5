"""The facade's namespaces (``client.chat``, ``client.embeddings``, ...), one module per area.

Each is a thin set of methods over the builders of :mod:`together_fn.api`; ``Together`` and
``AsyncTogether`` in :mod:`together_fn.client` put them together.
"""

"""``client.code_interpreter``: run code in sessions, list the sessions."""

from __future__ import annotations

from together_fn import api
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method


class CodeInterpreter(Namespace):
    """``client.code_interpreter``."""

    run = sync_method(api.tci.execute_code)
    list_sessions = sync_method(api.tci.list_sessions)


class AsyncCodeInterpreter(AsyncNamespace):
    """``client.code_interpreter``, awaited."""

    run = async_method(api.tci.execute_code)
    list_sessions = async_method(api.tci.list_sessions)

"""Where FEEL runs: on the event loop while it is short, in a bounded thread pool when not.

An expression is first evaluated in place with a small step budget
(``SWITCHBOARD_FEEL_INLINE_STEPS``): nearly every result and error expression finishes
within it, in microseconds, with no thread hop. One that needs more stops with
``BudgetExceeded`` and the whole stage (the result mapping, or the error expression) runs
again in the runtime's FEEL pool (``SWITCHBOARD_FEEL_POOL_SIZE`` threads) with the full
limits, so a long evaluation never holds the event loop: health checks, webhooks and other
jobs go on. FEEL is side-effect free, so running a stage again gives the same answer.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from app.feel import BudgetExceeded

P = ParamSpec("P")
T = TypeVar("T")

# The step budget of evaluations made in place (None: the process limits, as in the pool).
_INLINE_BUDGET: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "switchboard_feel_inline_budget", default=None
)


def inline_budget() -> int | None:
    """The step budget for an evaluation made now (read by ``app.runtime.expressions``)."""
    return _INLINE_BUDGET.get()


class FeelRunner:
    """Runs a synchronous stage that evaluates FEEL: in place under ``inline_steps``, else
    in its own pool of ``pool_size`` threads (created at the first such stage).
    ``inline_steps=None`` runs every stage in place with the full limits."""

    def __init__(self, inline_steps: int | None, pool_size: int = 1) -> None:
        self.inline_steps = inline_steps
        self.pool_size = pool_size
        self._pool: ThreadPoolExecutor | None = None
        self.offloaded = 0  # stages that needed the pool (a figure for tests and metrics)

    async def run(self, stage: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self.inline_steps is None:
            return stage(*args, **kwargs)
        token = _INLINE_BUDGET.set(self.inline_steps)
        try:
            return stage(*args, **kwargs)
        except BudgetExceeded:
            pass
        finally:
            _INLINE_BUDGET.reset(token)
        self.offloaded += 1
        # A copy of the caller's context (the job's FEEL warnings list among it) without the
        # inline budget: in the thread the full FEEL limits apply.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.pool_size, thread_name_prefix="feel")
        context = contextvars.copy_context()
        context.run(_INLINE_BUDGET.set, None)
        call = functools.partial(context.run, stage, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


# Everything in place, with the full limits: for callers with no runner of their own.
INLINE = FeelRunner(None)

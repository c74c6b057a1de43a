"""Root conftest: the hidden tests' plugin, and a deterministic hypothesis profile.

`--target` (what the stage tests test) and the `hint` marker are declared once, by the
grader's plugin for the hidden tests (`grader/child_plugin.py`), which the grading child
loads too; the project's own suite gets them here.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

pytest_plugins = ("grader.child_plugin",)

# Same verdict every run: derandomized (seed from the test itself), no example database.
settings.register_profile(
    "grading",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
    # No "explain" phase: it traces every line and can take minutes on a failing stateful test.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
)
settings.load_profile("grading")

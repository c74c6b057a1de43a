"""What a grading run found: plain data, shared by the runner, the cache and the renderers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

StageStatus = Literal["passed", "failed", "locked", "not_run"]


@dataclass
class TestResult:
    name: str
    status: Literal["passed", "failed"]
    hint: str | None = None
    message: str = ""
    location: dict[str, Any] | None = None  # file, line, function, code in the attendee's file
    output: str = ""  # what the test printed (the attendee's print()s), its last lines


@dataclass
class StageResult:
    id: str
    status: StageStatus
    tests: list[TestResult] = field(default_factory=list)
    problem: str | None = None  # load_error / hang / crash: what went wrong beyond one test
    seconds: float = 0.0
    cached: bool = False

    @property
    def first_failure(self) -> TestResult | None:
        return next((t for t in self.tests if t.status == "failed"), None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("cached")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StageResult:
        tests = [TestResult(**t) for t in data.get("tests", [])]
        return cls(
            id=data["id"],
            status=data["status"],
            tests=tests,
            problem=data.get("problem"),
            seconds=data.get("seconds", 0.0),
        )

"""What a gate run found: each expectation's finding, and the run's result (the types the gate produces and the
verdict, the CLI and the DAG read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from onestop.night import Night


@dataclass
class Finding:
    suite: str
    expectation: str
    severity: str  # error | warning
    success: bool
    observed: str | None
    rows: list[dict] = field(default_factory=list)
    description: str = ""  # what the check requires, in English (the suite's description), for engineers
    label: str = ""  # the same in Vietnamese, for the dashboard (the suite's meta.label_vi)

    @property
    def systems(self) -> set[str]:
        return {str(r["system_id"]) for r in self.rows if r.get("system_id")}

    @property
    def code(self) -> str:
        """What failed, as a code the report words in Vietnamese: `suite.expectation`."""
        return f"{self.suite}.{self.expectation}"

    def line(self) -> str:
        where = f" (systems: {', '.join(sorted(self.systems))})" if self.systems else ""
        return f"{self.code}: {self.description} observed {self.observed}{where}"


@dataclass
class GateResult:
    night: Night
    run_id: str
    findings: list[Finding]
    docs: Path
    marts_built: bool = True

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.success and f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.success and f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors


class GateFailed(RuntimeError):
    pass

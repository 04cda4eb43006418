"""Alerts for failed runs: always a JSON file under data/alerts/ and a log line; a webhook POST when
SELLTHROUGH_ALERT_WEBHOOK is set (the only network call Sellthrough makes, and only when configured).

Every run path alerts: `sellthrough run` / `backfill` (cron, CI, a person: orchestration/pipeline.py records the
alert itself and tags the run so the sensor does not repeat it), and the scheduled and sensor-started runs under
the Dagster daemon (the `alert_on_run_failure` sensor, orchestration/sensors.py)."""

import json
import logging
import os
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sellthrough.build_report import BuildReport
from sellthrough.config import Settings

log = logging.getLogger("sellthrough.alerts")
WEBHOOK_ENV = "SELLTHROUGH_ALERT_WEBHOOK"


@dataclass(frozen=True)
class Alert:
    run_id: str
    job_name: str
    failed_steps: list[str]
    message: str  # one paragraph for a person
    raised_at: str
    details: list[str] = field(default_factory=list)  # each failed step's full error, stack trace included

    @classmethod
    def now(
        cls, run_id: str, job_name: str, failed_steps: list[str], message: str, details: list[str] | None = None
    ) -> "Alert":
        raised = datetime.now(UTC).isoformat(timespec="seconds")
        return cls(run_id, job_name, failed_steps, message, raised, details or [])


def failure_message(settings: Settings, run_id: str, failures: list[Any]) -> str:
    """One paragraph: the build report's (failed checks, their files, what was published) when the build
    failed a check (sellthrough/build_report.py), else each failed step with its error's first line."""
    report = BuildReport.read(settings.data_dir, run_id)
    if not report.ok:
        return report.paragraph()
    parts = []
    for event in failures:
        data = event.step_failure_data
        text = data.user_failure_data.description if data and data.user_failure_data else None
        if not text and data and data.error:
            text = _first_line(data.error.message)
        parts.append(f"{event.step_key}: {text or 'failed'}")
    return "The run failed at " + "; ".join(parts) + "." if parts else "The run failed before any step ran."


def run_error(events: list[Any]) -> str | None:
    """The first error of a run that failed outside its steps (a resource that could not start: the run lock)."""
    for event in events:
        error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            return _first_line(error.message)
    return None


def failure_details(failures: list[Any]) -> list[str]:
    return [
        f"{event.step_key}: {event.step_failure_data.error.to_string()}"
        for event in failures
        if event.step_failure_data and event.step_failure_data.error
    ]


def _first_line(text: str) -> str:
    """`module.Error: what happened` -> `Error: what happened`, first line only."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    head, _, rest = line.partition(": ")
    return f"{head.rsplit('.', 1)[-1]}: {rest}" if rest else line


def record_alert(alert: Alert, alerts_dir: Path, webhook_url: str | None = None, kind: str = "run_failure") -> Path:
    """Write the alert to `alerts_dir/<run_id>.json`, log it, and POST it to the webhook when one is set.
    A webhook that fails is logged, never raised: the alert file is the record. `kind` other than a run failure
    (`sales_anomalies`: sellthrough/anomalies/alerts.py) is written into the alert and logged as a warning."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    target = alerts_dir / f"{alert.run_id}.json"
    body = json.dumps(asdict(alert) if kind == "run_failure" else {"kind": kind, **asdict(alert)}, indent=2)
    target.write_text(body + "\n", encoding="utf-8")
    if kind == "run_failure":
        log.error("run %s of %s failed at %s: %s", alert.run_id, alert.job_name, alert.failed_steps, alert.message)
    else:
        log.warning("%s (%s): %s", kind, alert.run_id, alert.message)
    url = webhook_url if webhook_url is not None else os.environ.get(WEBHOOK_ENV)
    if url:
        if not url.startswith(("https://", "http://")):
            log.error("%s must be an http(s) URL; not calling %r", WEBHOOK_ENV, url)
            return target
        request = urllib.request.Request(
            url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                log.info("alert posted to the webhook: HTTP %s", response.status)
        except OSError as exc:
            log.error("alert webhook failed: %s", exc)
    return target

"""Alerts for failed runs: always a JSON file under data/alerts/ and a log line; a webhook POST when
SELLTHROUGH_ALERT_WEBHOOK is set (the only network call Sellthrough makes, and only when configured)."""

import json
import logging
import os
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("sellthrough.alerts")
WEBHOOK_ENV = "SELLTHROUGH_ALERT_WEBHOOK"


@dataclass(frozen=True)
class Alert:
    run_id: str
    job_name: str
    failed_steps: list[str]
    message: str
    raised_at: str

    @classmethod
    def now(cls, run_id: str, job_name: str, failed_steps: list[str], message: str) -> "Alert":
        return cls(run_id, job_name, failed_steps, message, datetime.now(UTC).isoformat(timespec="seconds"))


def record_alert(alert: Alert, alerts_dir: Path, webhook_url: str | None = None) -> Path:
    """Write the alert to `alerts_dir/<run_id>.json`, log it, and POST it to the webhook when one is set.
    A webhook that fails is logged, never raised: the alert file is the record."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    target = alerts_dir / f"{alert.run_id}.json"
    body = json.dumps(asdict(alert), indent=2)
    target.write_text(body + "\n", encoding="utf-8")
    log.error("run %s of %s failed at %s: %s", alert.run_id, alert.job_name, alert.failed_steps, alert.message)
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

"""The file-arrival sensor (a run within a minute of a new file, never two runs for one file) and the
run-failure sensor (an alert file, a log line, and a webhook when configured)."""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from ingest.core.lake import Lake
from orchestration.pipeline import ALERTED_BY_CALLER
from orchestration.selection import assets_for_new_files
from sellthrough.alerts import Alert, failure_details, failure_message, record_alert
from sellthrough.config import Settings
from sellthrough.inbox_watch import WatchState, find_new_files

ACTIVE = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def build_sensors(job, *other_jobs):
    @sensor(
        name="inbox_arrivals",
        job=job,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts the nightly job within a minute of a new inbox file; one run per set of new files, "
        "building only what those files' kinds change (a masters file: everything).",
    )
    def inbox_arrivals(context: SensorEvaluationContext):
        settings = Settings.from_env()
        state = WatchState.loads(context.cursor)
        active = context.instance.get_runs_count(RunsFilter(job_name=job.name, statuses=ACTIVE))
        if active:
            return SkipReason(f"{active} run(s) of {job.name} in progress; new files wait for the next tick")
        new, state = find_new_files(settings.inbox_dir, Lake(settings.raw_dir), state)
        if not new.hashes:
            return SensorResult(skip_reason=SkipReason("no new files"), cursor=state.dumps())
        # only what these files' kinds change (orchestration/selection.py); the 02:00 schedule builds everything
        selection = assets_for_new_files(new.kinds)
        request = RunRequest(
            run_key=new.run_key,
            tags={
                "sellthrough/trigger": "file_arrival",
                "sellthrough/files": str(len(new.names)),
                "sellthrough/kinds": ",".join(new.kinds),
                "sellthrough/scope": "whole" if selection is None else "new_files",
            },
            asset_selection=selection,
        )
        scope = "every asset" if selection is None else f"{len(selection)} assets"
        context.log.info(f"{len(new.names)} new file(s), {scope}: {', '.join(new.names[:10])}")
        return SensorResult(run_requests=[request], cursor=state.dumps())

    @run_failure_sensor(
        name="alert_on_run_failure",
        monitored_jobs=[job, *other_jobs],
        default_status=DefaultSensorStatus.RUNNING,
        description="Records an alert for every failed run: data/alerts/<run_id>.json, the log, the webhook.",
    )
    def alert_on_run_failure(context: RunFailureSensorContext):
        run = context.dagster_run
        if run.tags.get(ALERTED_BY_CALLER):  # `sellthrough run` in this instance: it recorded the alert itself
            return
        failures = [e for e in context.get_step_failure_events() if e.step_key]
        settings = Settings.from_env()
        message = failure_message(settings, run.run_id, failures) if failures else context.failure_event.message
        alert = Alert.now(
            run.run_id, run.job_name, [e.step_key for e in failures], message or "", failure_details(failures)
        )
        path = record_alert(alert, settings.alerts_dir)
        context.log.error(f"alert recorded at {path}")

    return [inbox_arrivals, alert_on_run_failure]

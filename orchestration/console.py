"""The console logger of every Sellthrough job: Dagster's colored console logger without stack traces.

A failed step prints its error (the exception's type and message: for a failed build, one paragraph naming the
failed checks and their files) but not the stack trace of Dagster's internals, which says nothing to the person
reading a night's output. The full error, trace included, stays in Dagster's event log (the UI) and in the
alert file of the run (`data/alerts/<run id>.json`).
"""

from __future__ import annotations

import logging

from dagster import Field, InitLoggerContext, logger
from dagster._utils.log import coerce_valid_log_level, create_console_logger

TRACE_MARKERS = ("\n\nStack Trace:", "\nStack Trace:", "\n\nThe above exception was caused by")


class DropStackTraces(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cut = min((message.find(m) for m in TRACE_MARKERS if m in message), default=-1)
        if cut >= 0:
            record.msg, record.args = message[:cut].rstrip(), ()
        return True


@logger(
    Field(
        {
            "log_level": Field(str, is_required=False, default_value="INFO", description="The logger's threshold."),
            "name": Field(str, is_required=False, default_value="dagster", description="The logger's name."),
        }
    ),
    description="Dagster's colored console logger, errors without their stack traces.",
)
def concise_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    console = create_console_logger(
        name=init_context.logger_config["name"], level=coerce_valid_log_level(init_context.logger_config["log_level"])
    )
    for handler in console.handlers:
        handler.addFilter(DropStackTraces())
    return console

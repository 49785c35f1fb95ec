"""The list of a period's completed jobs as a table for the CSV and XLSX files.

One row a job, the same columns in both files; what the rows may hold (nothing that names
or describes a person) is decided by `queries.joblist`.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..labels import OUTCOME_LABELS
from ..queries.joblist import JobRow
from .files import Table


def _reason(row: JobRow) -> str:
    if row.reason:
        return row.reason
    return _("other reason") if row.other_reason else ""


def job_list_tables(rows: list[JobRow]) -> list[Table]:
    """Lay the completed jobs out as one table, dates as dates and hours as numbers."""
    return [
        Table(
            _("Completed jobs"),
            [
                _("Request number"),
                _("Service"),
                _("Workshop group"),
                _("Sent"),
                _("Completed on"),
                _("Outcome"),
                _("Why it could not be done"),
                _("Project or event"),
                _("What was done"),
                _("Trainees' hours"),
            ],
            [
                [
                    row.reference,
                    row.service,
                    row.group or "",
                    row.sent_on,
                    row.completed_on,
                    str(OUTCOME_LABELS[row.outcome]),
                    _reason(row),
                    row.project or "",
                    row.work_done or "",
                    row.hours,
                ]
                for row in rows
            ],
        )
    ]

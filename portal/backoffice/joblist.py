"""The anonymised list of completed jobs, as CSV and XLSX, for the period of the reports.

The period is chosen by the same query string as the reports page; a period that cannot
be sends the user back to that page's form. Every download is written to the audit trail.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from .. import audit
from ..domain.period import Period
from ..queries.joblist import completed_jobs
from ..reports.files import report_csv, report_xlsx
from ..reports.joblist import job_list_tables
from ..web.permissions import Permission, require_permission
from . import bp
from .reports import _attachment, _period_or_back

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_name(period: Period, extension: str) -> str:
    return f"lista-zlecen-{period.starts_on.isoformat()}-{period.ends_on.isoformat()}.{extension}"


def _tables(period: Period):
    return job_list_tables(completed_jobs(period, current_app.config["BABEL_DEFAULT_TIMEZONE"]))


@bp.get("/raporty/lista-zlecen.csv")
@require_permission(Permission.VIEW_REPORTS)
def export_job_list_csv():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    # The byte order mark tells a Polish Excel the file is UTF-8.
    body = "\ufeff" + report_csv(_tables(period))
    name = _file_name(period, "csv")
    audit.record(current_user, audit.AuditAction.EXPORT_JOB_LIST, None, name)
    return _attachment(body.encode("utf-8"), "text/csv; charset=utf-8", name)


@bp.get("/raporty/lista-zlecen.xlsx")
@require_permission(Permission.VIEW_REPORTS)
def export_job_list_xlsx():
    period = _period_or_back()
    if not isinstance(period, Period):
        return period
    body = report_xlsx(_tables(period))
    name = _file_name(period, "xlsx")
    audit.record(current_user, audit.AuditAction.EXPORT_JOB_LIST, None, name)
    return _attachment(body, XLSX, name)

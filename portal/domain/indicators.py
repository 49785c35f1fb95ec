"""The figures an indicator of the city's strategy can take its realised value from.

An indicator is either entered by hand each year (`MANUAL`) or computed by the portal for
the chosen year from one of these figures, the same the reports show.
"""

from __future__ import annotations

from enum import StrEnum

MANUAL = "manual"


class Figure(StrEnum):
    # Services done (jobs completed as done), the paper count included.
    SERVICES = "services"
    # Of them, for other units of the welfare centre, city units and NGOs.
    SERVICES_FOR_INSTITUTIONS = "services_institutions"
    # Distinct residents served, of them first-time; distinct institutions served.
    RESIDENTS_SERVED = "residents_served"
    FIRST_TIME_RESIDENTS = "first_time_residents"
    INSTITUTIONS_SERVED = "institutions_served"
    # Jobs that could not be done.
    JOBS_NOT_DONE = "jobs_not_done"
    # Programme participants, completions, and what followed (the paper count included).
    PARTICIPANTS = "participants"
    COMPLETED_PROGRAMME = "completed_programme"
    EMPLOYED_AFTER = "employed_after"
    INTERNSHIPS_AFTER = "internships_after"
    # Hours the trainees worked on jobs.
    TRAINEE_HOURS = "trainee_hours"


def is_source(value: str) -> bool:
    return value == MANUAL or value in {figure.value for figure in Figure}

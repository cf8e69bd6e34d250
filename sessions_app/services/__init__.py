"""Writes for cohorts, series, meetings and RSVPs. Views, tasks and commands call these."""

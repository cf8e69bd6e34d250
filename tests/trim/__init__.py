"""The TRiM pathway (issue 14 §4): daytime slots, offers, risk assessments only practitioners see."""

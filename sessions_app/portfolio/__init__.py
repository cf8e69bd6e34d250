"""Portfolio exports the person controls: one reflection as PDF or Word, laid out like its
template, and the NMC revalidation pack. Only the author can download them; they hold
nothing of anyone else (issue 14)."""

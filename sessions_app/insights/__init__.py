"""What the people who run a cohort or an organisation may learn from aggregates, always
under the one k rule (``accounts.models.group_size``, applied by ``figures.shown``):
monthly cohort figures (``figures``, kept once shown by ``services``), the session
evaluation (``questions``, ``evaluations``), the notification distribution
(``distribution``), their charts (``svg``) and the pages.
"""

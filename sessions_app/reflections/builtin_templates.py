"""Built-in reflection templates: pure data. Each prompt has a key, the question shown,
and a length limit. Organisations may add their own (``ReflectionTemplate``) within
``MAX_PROMPTS`` and ``MAX_PROMPT_LENGTH``.

The limits of the built-in templates stay short: a reflection is a few minutes' writing
(the learning contract, a plan written once a term, allows more).
An organisation's own template may allow up to ``MAX_PROMPT_LENGTH`` characters per
answer, for longer work such as a chaplaincy (CPE) verbatim that runs to several pages."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_PROMPTS = 8
MAX_PROMPT_LENGTH = 20_000
DEFAULT_PROMPT_LENGTH = 500

# What a prompt asks for: written text (the default), or one day, kept as an ISO date
# ("2027-03-15") and shown as a date picker.
TEXT = "text"
DATE = "date"
ISO_DATE_LENGTH = 10
# A learning contract's goals, means and evidence run longer than a reflection's minutes.
LEARNING_CONTRACT_LENGTH = 5000

# The four themes of the NMC Code; an NMC reflective account names the ones it relates to.
CODE_THEMES: dict[str, str] = {
    "prioritise_people": _("Prioritise people"),
    "practise_effectively": _("Practise effectively"),
    "preserve_safety": _("Preserve safety"),
    "promote_professionalism": _("Promote professionalism and trust"),
}


@dataclass(frozen=True)
class Prompt:
    key: str
    question: str
    max_length: int
    kind: str = TEXT


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    prompts: tuple[Prompt, ...]
    has_code_themes: bool = False  # the NMC reflective account: ticks the Code's themes


BUILT_IN: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            key="rolfe",
            name=_("What? So what? Now what?"),
            description=_("Rolfe's three questions: what happened, what it means, what you'll do."),
            prompts=(
                Prompt("what", _("What? What happened, and what was my part in it?"), 600),
                Prompt("so_what", _("So what? What does it mean to me, and what did I feel?"), 600),
                Prompt("now_what", _("Now what? What will I carry forward or do differently?"), 600),
            ),
        ),
        Template(
            key="gibbs",
            name=_("Gibbs reflective cycle (short)"),
            description=_("Six short stages, from description to an action plan."),
            prompts=(
                Prompt("description", _("Description: what happened?"), 400),
                Prompt("feelings", _("Feelings: what was I thinking and feeling?"), 400),
                Prompt("evaluation", _("Evaluation: what was good and bad about it?"), 400),
                Prompt("analysis", _("Analysis: what sense can I make of it?"), 400),
                Prompt("conclusion", _("Conclusion: what else could I have done?"), 400),
                Prompt("action_plan", _("Action plan: if it arose again, what would I do?"), 400),
            ),
        ),
        Template(
            key="nmc",
            name=_("NMC reflective account"),
            description=_("The NMC revalidation form's four questions, and the Code's themes."),
            # The questions of the NMC's reflective accounts form, word for word in English.
            prompts=(
                Prompt(
                    "what_was_it",
                    _(
                        "What was the nature of the CPD activity and/or practice-related feedback "
                        "and/or event or experience in your practice?"
                    ),
                    1000,
                ),
                Prompt(
                    "learned",
                    _("What did you learn from the CPD activity and/or feedback and/or event or experience?"),
                    1000,
                ),
                Prompt("changed", _("How did you change or improve your practice as a result?"), 1000),
                Prompt("code", _("How is this relevant to the Code?"), 1000),
            ),
            has_code_themes=True,
        ),
        Template(
            key="learning_contract",
            name=_("Learning contract"),
            description=_(
                "Goals, how you will reach them, the evidence you will show and a review date, as a chaplaincy "
                "(CPE) or training programme asks. Private like any reflection: to show it to your supervisor, "
                "ask them for feedback on it."
            ),
            prompts=(
                Prompt("goals", _("Goals"), LEARNING_CONTRACT_LENGTH),
                Prompt("means", _("How I will reach them (means)"), LEARNING_CONTRACT_LENGTH),
                Prompt("evidence", _("Evidence I will show"), LEARNING_CONTRACT_LENGTH),
                Prompt("review_date", _("Review date"), ISO_DATE_LENGTH, kind=DATE),
            ),
        ),
        Template(
            key="one_thing",
            name=_("One thing"),
            description=_("A single short note."),
            prompts=(Prompt("note", _("One thing I want to remember from today"), 500),),
        ),
    )
}

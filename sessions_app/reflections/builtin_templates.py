"""Built-in reflection templates: pure data. Each prompt has a key, the question shown,
and a length limit. Organisations may add their own (``ReflectionTemplate``) within
``MAX_PROMPTS`` and ``MAX_PROMPT_LENGTH``."""

from dataclasses import dataclass

MAX_PROMPTS = 8
MAX_PROMPT_LENGTH = 2000


@dataclass(frozen=True)
class Prompt:
    key: str
    question: str
    max_length: int


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    prompts: tuple[Prompt, ...]


BUILT_IN: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            key="rolfe",
            name="What? So what? Now what?",
            description="Rolfe's three questions: what happened, what it means, what you'll do.",
            prompts=(
                Prompt("what", "What? What happened, and what was my part in it?", 600),
                Prompt("so_what", "So what? What does it mean to me, and what did I feel?", 600),
                Prompt("now_what", "Now what? What will I carry forward or do differently?", 600),
            ),
        ),
        Template(
            key="gibbs",
            name="Gibbs reflective cycle (short)",
            description="Six short stages, from description to an action plan.",
            prompts=(
                Prompt("description", "Description: what happened?", 400),
                Prompt("feelings", "Feelings: what was I thinking and feeling?", 400),
                Prompt("evaluation", "Evaluation: what was good and bad about it?", 400),
                Prompt("analysis", "Analysis: what sense can I make of it?", 400),
                Prompt("conclusion", "Conclusion: what else could I have done?", 400),
                Prompt("action_plan", "Action plan: if it arose again, what would I do?", 400),
            ),
        ),
        Template(
            key="nmc",
            name="NMC reflective account",
            description="The four prompts of the NMC revalidation form.",
            prompts=(
                Prompt("what_was_it", "What was the nature of the experience or feedback?", 700),
                Prompt("learned", "What did you learn from it?", 700),
                Prompt("changed", "How did you change or improve your practice as a result?", 700),
                Prompt("code", "How is this relevant to the Code?", 700),
            ),
        ),
        Template(
            key="one_thing",
            name="One thing",
            description="A single short note.",
            prompts=(Prompt("note", "One thing I want to remember from today", 500),),
        ),
    )
}

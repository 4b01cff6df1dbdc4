"""The timetable of a connection session: accepted meetings placed over slots and tables.

Pure Python over plain data (no ORM), so tests and bench/schedule.py call it directly and the
session's services only translate records in and out.

Rules a timetable keeps:
- nobody is in two meetings in one slot, and no table holds two meetings in one slot;
- nobody meets in a slot they said they cannot attend;
- a meeting that needs an interpreter for a language is placed only where one is free: per
  slot, at most as many meetings of a language as interpreters of that language that slot;
- meetings staff pinned keep their slot (and their table, when they gave one);
- when not everything fits, the most valuable meetings go first.

The solver is OR-Tools' CP-SAT: one boolean per (meeting, slot) it may take, at most one slot
per meeting, the limits above as sums, the total value placed as the objective. Tables are
interchangeable inside a slot, so they are dealt afterwards (pinned tables first), which keeps
the model small: 1,500 meetings x 16 slots solve in about a second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Meeting:
    id: int
    people: tuple[str, ...]  # who must be there (firm, representative, ...): any hashable ids
    value: float = 1.0  # higher is placed first (score, who asked)
    language: str = ""  # needs an interpreter of this language ("" = none)
    pinned_slot: int | None = None  # fixed by staff: stays there
    pinned_table: int | None = None


@dataclass(frozen=True)
class Problem:
    meetings: tuple[Meeting, ...]
    slots: int  # slots 0..slots-1
    tables: int  # tables 0..tables-1
    unavailable: Mapping[str, frozenset[int]] = field(default_factory=dict)  # person -> slots
    # language -> interpreters free in each slot (a list of `slots` counts, or one count)
    interpreters: Mapping[str, int | tuple[int, ...]] = field(default_factory=dict)

    def interpreters_at(self, language: str, slot: int) -> int:
        free = self.interpreters.get(language, 0)
        return free if isinstance(free, int) else free[slot]


@dataclass
class Placement:
    slot: int
    table: int


@dataclass
class Timetable:
    placed: dict[int, Placement]  # meeting id -> where
    unplaced: dict[int, str]  # meeting id -> why (a reason code, see REASONS)
    value: float  # total value placed
    bound: float  # no timetable places more value than this (the solver's proven bound)
    optimal: bool
    seconds: float


class Conflict(ValueError):
    """A pinned meeting or a move breaks a rule; `reason` says which (a REASONS key)."""

    def __init__(self, reason: str, meeting_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.meeting_id = meeting_id


# Reason codes; the session's pages translate them.
REASONS = (
    "person_busy",  # someone is already in another meeting in that slot
    "person_unavailable",  # someone cannot attend that slot
    "table_taken",  # that table holds another meeting in that slot
    "no_table",  # every table of that slot is taken
    "no_interpreter",  # no interpreter of the language left in that slot
    "no_slot",  # not placed: no slot had room for it given the more valuable ones
    "bad_slot",  # outside the session's slots or tables
)


def _allowed_slots(meeting: Meeting, problem: Problem) -> list[int]:
    if meeting.pinned_slot is not None:
        return [meeting.pinned_slot]
    return [
        s
        for s in range(problem.slots)
        if not any(s in problem.unavailable.get(p, ()) for p in meeting.people)
        and (not meeting.language or problem.interpreters_at(meeting.language, s) > 0)
    ]


def check_pinned(problem: Problem) -> None:
    """Pinned meetings must fit together: raise Conflict naming the first that does not."""
    seen_people: set[tuple[str, int]] = set()
    seen_tables: set[tuple[int, int]] = set()
    per_slot: dict[int, int] = defaultdict(int)
    per_language: dict[tuple[str, int], int] = defaultdict(int)
    for meeting in problem.meetings:
        slot = meeting.pinned_slot
        if slot is None:
            continue
        if not 0 <= slot < problem.slots or (
            meeting.pinned_table is not None and not 0 <= meeting.pinned_table < problem.tables
        ):
            raise Conflict("bad_slot", meeting.id)
        for person in meeting.people:
            if slot in problem.unavailable.get(person, ()):
                raise Conflict("person_unavailable", meeting.id)
            if (person, slot) in seen_people:
                raise Conflict("person_busy", meeting.id)
            seen_people.add((person, slot))
        if meeting.pinned_table is not None:
            if (slot, meeting.pinned_table) in seen_tables:
                raise Conflict("table_taken", meeting.id)
            seen_tables.add((slot, meeting.pinned_table))
        per_slot[slot] += 1
        if per_slot[slot] > problem.tables:
            raise Conflict("no_table", meeting.id)
        if meeting.language:
            per_language[meeting.language, slot] += 1
            if per_language[meeting.language, slot] > problem.interpreters_at(
                meeting.language, slot
            ):
                raise Conflict("no_interpreter", meeting.id)


def solve(problem: Problem, *, seconds: float = 8.0, workers: int = 2) -> Timetable:
    """The most valuable timetable found within `seconds` (pinned meetings kept)."""
    import time

    from ortools.sat.python import cp_model

    started = time.perf_counter()
    check_pinned(problem)
    model = cp_model.CpModel()
    # Values are floats; CP-SAT wants integers: hundredths keep two decimals of a score.
    weight = {m.id: max(1, round(m.value * 100)) for m in problem.meetings}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_person_slot: dict[tuple[str, int], list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    by_language_slot: dict[tuple[str, int], list] = defaultdict(list)
    for meeting in problem.meetings:
        options = _allowed_slots(meeting, problem)
        for slot in options:
            var = model.new_bool_var(f"m{meeting.id}s{slot}")
            x[meeting.id, slot] = var
            by_slot[slot].append(var)
            for person in meeting.people:
                by_person_slot[person, slot].append(var)
            if meeting.language:
                by_language_slot[meeting.language, slot].append(var)
        own = [x[meeting.id, s] for s in options]
        if meeting.pinned_slot is not None:
            model.add(own[0] == 1)
        elif own:
            model.add_at_most_one(own)
    for variables in by_person_slot.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)
    for variables in by_slot.values():
        if len(variables) > problem.tables:
            model.add(sum(variables) <= problem.tables)
    for (language, slot), variables in by_language_slot.items():
        free = problem.interpreters_at(language, slot)
        if len(variables) > free:
            model.add(sum(variables) <= free)
    model.maximize(sum(weight[m] * var for (m, _s), var in x.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1  # the same input gives the same timetable
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise Conflict("no_slot")  # only a contradiction among pinned meetings gets here

    chosen = {m: s for (m, s), var in x.items() if solver.value(var)}
    placed = _deal_tables(problem, chosen)
    value_of = {m.id: m.value for m in problem.meetings}
    unplaced = {m.id: "no_slot" for m in problem.meetings if m.id not in placed}
    return Timetable(
        placed=placed,
        unplaced=unplaced,
        value=sum(value_of[m] for m in placed),
        bound=solver.best_objective_bound / 100,
        optimal=status == cp_model.OPTIMAL,
        seconds=time.perf_counter() - started,
    )


def _deal_tables(problem: Problem, chosen: Mapping[int, int]) -> dict[int, Placement]:
    """Tables for the chosen slots: pinned tables first, then the lowest free table."""
    meetings = {m.id: m for m in problem.meetings}
    taken: dict[int, set[int]] = defaultdict(set)
    placed: dict[int, Placement] = {}
    order = sorted(chosen, key=lambda m: (meetings[m].pinned_table is None, m))
    for meeting_id in order:
        slot = chosen[meeting_id]
        table = meetings[meeting_id].pinned_table
        if table is None:
            table = next(t for t in range(problem.tables) if t not in taken[slot])
        taken[slot].add(table)
        placed[meeting_id] = Placement(slot, table)
    return placed


def check_move(
    problem: Problem,
    placed: Mapping[int, Placement],
    meeting_id: int,
    to: Placement,
) -> None:
    """Raise Conflict (with the reason) if moving the meeting to `to` breaks a rule."""
    meeting = next(m for m in problem.meetings if m.id == meeting_id)
    if not (0 <= to.slot < problem.slots and 0 <= to.table < problem.tables):
        raise Conflict("bad_slot", meeting_id)
    others = {m.id: m for m in problem.meetings if m.id != meeting_id and m.id in placed}
    in_slot = [m for m in others.values() if placed[m.id].slot == to.slot]
    for person in meeting.people:
        if to.slot in problem.unavailable.get(person, ()):
            raise Conflict("person_unavailable", meeting_id)
        if any(person in m.people for m in in_slot):
            raise Conflict("person_busy", meeting_id)
    if any(placed[m.id].table == to.table for m in in_slot):
        raise Conflict("table_taken", meeting_id)
    if meeting.language:
        busy = sum(1 for m in in_slot if m.language == meeting.language)
        if busy >= problem.interpreters_at(meeting.language, to.slot):
            raise Conflict("no_interpreter", meeting_id)


def clashes(problem: Problem, placed: Mapping[int, Placement]) -> list[str]:
    """Every rule a timetable breaks, as readable lines (empty for a good timetable)."""
    meetings = {m.id: m for m in problem.meetings}
    found: list[str] = []
    people: dict[tuple[str, int], int] = {}
    tables: dict[tuple[int, int], int] = {}
    languages: dict[tuple[str, int], int] = defaultdict(int)
    for meeting_id, where in placed.items():
        meeting = meetings[meeting_id]
        if meeting.pinned_slot is not None and where.slot != meeting.pinned_slot:
            found.append(f"meeting {meeting_id} left its pinned slot")
        if meeting.pinned_table is not None and where.table != meeting.pinned_table:
            found.append(f"meeting {meeting_id} left its pinned table")
        for person in meeting.people:
            if where.slot in problem.unavailable.get(person, ()):
                found.append(f"{person} cannot attend slot {where.slot}")
            other = people.setdefault((person, where.slot), meeting_id)
            if other != meeting_id:
                found.append(f"{person} in meetings {other} and {meeting_id} at slot {where.slot}")
        other = tables.setdefault((where.slot, where.table), meeting_id)
        if other != meeting_id:
            found.append(f"table {where.table} holds {other} and {meeting_id} at {where.slot}")
        if meeting.language:
            languages[meeting.language, where.slot] += 1
    for (language, slot), n in languages.items():
        if n > problem.interpreters_at(language, slot):
            found.append(f"{n} meetings need {language} at slot {slot}")
    return found


def total_value(meetings: Iterable[Meeting]) -> float:
    return sum(m.value for m in meetings)

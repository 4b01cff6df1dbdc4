"""Timetable benchmark: python -m bench.schedule [--firms 300 --representatives 21 ...]

A connection session of the size the issue names: firms, representatives, meeting requests,
slots and tables. The generator first lays out a hidden timetable that keeps every rule (so a
placement of every accepted meeting exists), makes its meetings the accepted requests and the
rest of the requests declined or still pending (they are not scheduled), then gives people
unavailable slots outside their hidden meetings, interpreters per language and slot exactly as
many as the hidden timetable uses (tight on purpose), and pins 5 % of the meetings where the
hidden timetable has them, as staff would. `events.scheduling.solve` then builds a timetable
from the accepted meetings alone. One JSON line:

    {"accepted": ..., "placed": ..., "placed_ratio": placed / accepted,
     "value_ratio": value placed / the solver's proven upper bound, "optimal": ...,
     "clashes": 0, "seconds": ...}

Figures only: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ja", "ko", "de", "fr", "")  # a representation's language; "" needs no interpreter


def generate(firms: int, reps: int, requests: int, slots: int, tables: int, seed: int = 7):
    from events.scheduling import Meeting, Problem

    rng = random.Random(seed)
    firm_ids = [f"firm{i}" for i in range(firms)]
    rep_ids = [f"rep{i}" for i in range(reps)]
    language = {rep: LANGUAGES[i % len(LANGUAGES)] for i, rep in enumerate(rep_ids)}
    hidden: list[tuple[str, str, int, int]] = []  # firm, rep, slot, table
    busy: set[tuple[str, int]] = set()
    for slot in range(slots):
        for table, rep in enumerate(rng.sample(rep_ids, min(reps, tables))):
            if rng.random() > 0.9:  # a representative's free slot now and then
                continue
            free = [f for f in rng.sample(firm_ids, 40) if (f, slot) not in busy]
            if free:
                firm = free[0]
                busy.update({(firm, slot), (rep, slot)})
                hidden.append((firm, rep, slot, table))
    accepted = min(len(hidden), requests)
    hidden = hidden[:accepted]
    meetings = []
    for i, (firm, rep, slot, table) in enumerate(hidden):
        pinned = rng.random() < 0.05
        meetings.append(
            Meeting(
                id=i,
                people=(firm, rep),
                value=round(rng.uniform(0.55, 0.95) + (0.1 if rng.random() < 0.3 else 0), 2),
                language=language[rep],
                pinned_slot=slot if pinned else None,
                pinned_table=table if pinned else None,
            )
        )
    unavailable = {}
    for person in firm_ids + rep_ids:
        free = [s for s in range(slots) if (person, s) not in busy]
        unavailable[person] = frozenset(rng.sample(free, min(len(free), rng.randint(0, 3))))
    interpreters = {}
    for lang in {lang for lang in LANGUAGES if lang}:
        interpreters[lang] = tuple(
            sum(1 for _f, rep, s, _t in hidden if s == slot and language[rep] == lang)
            for slot in range(slots)
        )
    problem = Problem(
        meetings=tuple(meetings),
        slots=slots,
        tables=tables,
        unavailable=unavailable,
        interpreters=interpreters,
    )
    return problem, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=300)
    parser.add_argument("--representatives", type=int, default=21)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=8.0, help="the solver's time limit")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from events.scheduling import clashes, solve

    problem, requests = generate(
        args.firms, args.representatives, args.requests, args.slots, args.tables, args.seed
    )
    started = time.perf_counter()
    timetable = solve(problem, seconds=args.seconds)
    seconds = time.perf_counter() - started
    accepted = len(problem.meetings)
    print(
        json.dumps(
            {
                "firms": args.firms,
                "representatives": args.representatives,
                "requests": requests,
                "accepted": accepted,
                "pinned": sum(1 for m in problem.meetings if m.pinned_slot is not None),
                "slots": args.slots,
                "tables": args.tables,
                "placed": len(timetable.placed),
                "placed_ratio": round(len(timetable.placed) / accepted, 4) if accepted else None,
                "value_ratio": round(timetable.value / timetable.bound, 4)
                if timetable.bound
                else None,
                "optimal": timetable.optimal,
                "clashes": len(clashes(problem, timetable.placed)),
                "seconds": round(seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()

"""The session timetable on small cases checked by hand (events/scheduling.py, no database)."""

import pytest

from events.scheduling import Conflict, Meeting, Placement, Problem, check_move, clashes, solve


def problem(*meetings, slots=2, tables=2, **kwargs):
    return Problem(meetings=tuple(meetings), slots=slots, tables=tables, **kwargs)


def test_a_person_is_never_in_two_meetings_and_the_more_valuable_goes_first():
    # rep1 has one slot and two meetings: only the more valuable one can be placed
    p = problem(
        Meeting(1, ("firmA", "rep1"), value=0.6),
        Meeting(2, ("firmB", "rep1"), value=0.9),
        slots=1,
    )
    timetable = solve(p)
    assert set(timetable.placed) == {2} and timetable.unplaced == {1: "no_slot"}
    assert timetable.optimal and timetable.value == pytest.approx(0.9)
    assert clashes(p, timetable.placed) == []


def test_tables_limit_a_slot_and_are_never_shared():
    meetings = [Meeting(i, (f"firm{i}", f"rep{i}")) for i in range(5)]
    timetable = solve(problem(*meetings, slots=2, tables=2))
    assert len(timetable.placed) == 4  # 2 slots x 2 tables
    where = {(w.slot, w.table) for w in timetable.placed.values()}
    assert len(where) == 4


def test_unavailable_slots_are_respected():
    p = problem(
        Meeting(1, ("firmA", "rep1")),
        Meeting(2, ("firmA", "rep2")),
        slots=2,
        unavailable={"rep1": frozenset({0})},
    )
    timetable = solve(p)
    assert timetable.placed[1].slot == 1 and timetable.placed[2].slot == 0


def test_interpreters_limit_meetings_of_their_language_per_slot():
    p = problem(
        Meeting(1, ("firmA", "repJP1"), language="ja"),
        Meeting(2, ("firmB", "repJP2"), language="ja"),
        Meeting(3, ("firmC", "repJP3"), language="ja", value=0.5),
        slots=2,
        tables=3,
        interpreters={"ja": (1, 1)},  # one Japanese interpreter in each slot
    )
    timetable = solve(p)
    assert set(timetable.placed) == {1, 2}
    assert {w.slot for w in timetable.placed.values()} == {0, 1}


def test_pinned_meetings_stay_where_staff_put_them():
    p = problem(
        Meeting(1, ("firmA", "rep1"), value=0.6, pinned_slot=1, pinned_table=1),
        Meeting(2, ("firmA", "rep2"), value=0.9),
        Meeting(3, ("firmB", "rep1"), value=0.9),
        slots=2,
    )
    timetable = solve(p)
    assert timetable.placed[1] == Placement(slot=1, table=1)
    # the others go around it: firmA and rep1 are taken in slot 1
    assert timetable.placed[2].slot == 0 and timetable.placed[3].slot == 0


def test_pinned_meetings_that_clash_are_refused_with_the_reason():
    p = problem(
        Meeting(1, ("firmA", "rep1"), pinned_slot=0),
        Meeting(2, ("firmA", "rep2"), pinned_slot=0),
    )
    with pytest.raises(Conflict) as error:
        solve(p)
    assert error.value.reason == "person_busy" and error.value.meeting_id == 2


def test_a_move_is_refused_with_its_reason():
    p = problem(
        Meeting(1, ("firmA", "rep1"), language="de"),
        Meeting(2, ("firmB", "rep2"), language="de"),
        Meeting(3, ("firmC", "rep3")),
        slots=2,
        tables=2,
        unavailable={"firmC": frozenset({1})},
        interpreters={"de": 1},
    )
    placed = {1: Placement(0, 0), 2: Placement(1, 0), 3: Placement(0, 1)}
    assert clashes(p, placed) == []
    reasons = {}
    for meeting, to in [(1, Placement(1, 1)), (3, Placement(1, 1)), (2, Placement(0, 1))]:
        with pytest.raises(Conflict) as error:
            check_move(p, placed, meeting, to)
        reasons[meeting] = error.value.reason
    assert reasons == {1: "no_interpreter", 3: "person_unavailable", 2: "table_taken"}
    check_move(p, placed, 3, Placement(0, 1))  # staying put is fine


def test_the_same_input_gives_the_same_timetable():
    meetings = [Meeting(i, (f"firm{i % 4}", f"rep{i % 3}"), value=0.5 + i / 100) for i in range(12)]
    p = problem(*meetings, slots=4, tables=3)
    assert solve(p).placed == solve(p).placed

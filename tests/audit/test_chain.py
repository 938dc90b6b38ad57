"""The hash chain: every record sealed, audit_verify names the first record that was tampered
with, a head kept outside the database catches a rewrite, concurrent writers never fork it."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketui.audit.chain import (
    GENESIS_HASH,
    completion_content,
    record_content,
    seal_hash,
    written_pending,
)
from ticketui.audit.models import AuditRecord, Kind, RecordImmutable
from ticketui.audit.services import Origin, audit_event, audit_operation_finish
from ticketui.audit.verify import (
    ANCHOR_CHANGED,
    ANCHOR_INVALID,
    ANCHOR_MISSING,
    CONTENT_CHANGED,
    LINK_BROKEN,
    ONE_SEAL,
    REMOVED_RECORD,
    SEAL_MISSING,
    chain_head,
    chain_verify,
)
from ticketui.osm.results import CallResult, Outcome

from .conftest import (
    finish_operation,
    lift_immutability,
    manage,
    manage_popen,
    prepared,
    raw,
    start_operation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(support_user, team_lead):
    """Five records and six seals: a login, a completed close, a track, a pending cancel."""
    audit_event(kind=Kind.LOGIN, actor=support_user)
    closed = finish_operation(start_operation(support_user))
    audit_event(kind=Kind.TRACK, actor=team_lead, case_id="CS2026090100004")
    pending = start_operation(support_user, action_id="cancel")
    audit_event(kind=Kind.LOGOUT, actor=support_user)
    return {"closed": closed, "pending": pending}


def verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_every_record_and_every_completion_is_a_link_of_one_chain(trail):
    records = list(AuditRecord.objects.order_by("seq"))
    closed = trail["closed"]

    assert [record.seq for record in records] == [1, 2, 4, 5, 6]
    assert records[0].prev_hash == GENESIS_HASH
    assert closed.completion_seq == 3
    assert closed.completion_prev_hash == closed.hash
    assert records[2].prev_hash == closed.completion_hash
    assert trail["pending"].completion_seq is None
    report = chain_verify()
    assert report.intact
    assert report.seals == 6
    assert report.head == chain_head()
    assert chain_head().seq == 6


def test_audit_verify_says_the_chain_is_intact_and_prints_the_head(trail):
    output = verify()

    assert "The audit chain is intact: 6 seals checked." in output
    assert f"Anchor to keep outside the database: {chain_head().anchor}" in output


def test_editing_one_records_body_in_the_database_makes_audit_verify_name_it(trail):
    closed = trail["closed"]
    lift_immutability()
    raw(
        "UPDATE audit_auditrecord SET request_body = %s WHERE id = %s",
        [json.dumps({"operate_desc": "Customer never confirmed"}), closed.pk],
    )

    with pytest.raises(CommandError) as failure:
        verify()

    assert CONTENT_CHANGED.format(record=closed.pk, seq=closed.seq) in str(failure.value)
    assert failure.value.returncode == 1
    assert chain_verify().broken_record_id == closed.pk


def test_changing_a_recorded_answer_is_reported_at_that_record(trail):
    closed = trail["closed"]
    lift_immutability()
    raw("UPDATE audit_auditrecord SET error_code = 'OSM.0004' WHERE id = %s", [closed.pk])

    report = chain_verify()

    assert report.broken_record_id == closed.pk
    assert report.problem == CONTENT_CHANGED.format(record=closed.pk, seq=closed.completion_seq)


def test_removing_a_record_is_reported_naming_the_removed_record(trail):
    lift_immutability()
    track = AuditRecord.objects.get(kind=Kind.TRACK)
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [track.pk])

    report = chain_verify()

    after = AuditRecord.objects.get(seq=track.seq + 1)
    assert report.problem == SEAL_MISSING.format(
        seals=ONE_SEAL.format(first=track.seq),
        what=REMOVED_RECORD.format(last=track.seq, removed=track.pk),
        record=after.pk,
        seq=after.seq,
        previous=track.seq - 1,
    )
    assert report.problem.startswith(
        f"Seal {track.seq} is missing (seal {track.seq} sealed record #{track.pk},"
    )
    assert report.missing_record_id == track.pk
    assert report.seals == 3


def test_removing_a_completed_operation_names_it_at_the_first_of_its_seals(trail):
    closed = trail["closed"]
    lift_immutability()
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [closed.pk])

    report = chain_verify()

    assert report.missing_record_id == closed.pk
    # Its record seal 2 and its completion seal 3 are both gone.
    assert report.problem.startswith(
        f"Seals 2 to 3 are missing (seal 3 sealed record #{closed.pk}, which was removed)"
    )


def test_changing_a_records_id_is_reported_at_that_record(trail):
    login = AuditRecord.objects.get(kind=Kind.LOGIN)
    lift_immutability()
    raw("UPDATE audit_auditrecord SET id = %s WHERE id = %s", [login.pk + 1000, login.pk])

    report = chain_verify()

    assert report.problem == CONTENT_CHANGED.format(record=login.pk + 1000, seq=login.seq)


def test_swapping_two_records_ids_is_reported(trail):
    """A settlement or a key that points at one record would point at the other."""
    track = AuditRecord.objects.get(kind=Kind.TRACK)
    logout = AuditRecord.objects.get(kind=Kind.LOGOUT)
    lift_immutability()
    raw("UPDATE audit_auditrecord SET id = -1 WHERE id = %s", [track.pk])
    raw("UPDATE audit_auditrecord SET id = %s WHERE id = %s", [track.pk, logout.pk])
    raw("UPDATE audit_auditrecord SET id = %s WHERE id = -1", [logout.pk])

    report = chain_verify()

    assert report.problem == CONTENT_CHANGED.format(record=logout.pk, seq=track.seq)


def test_pointing_a_settlement_at_another_operation_is_reported(support_user, trail):
    closed, pending = trail["closed"], trail["pending"]
    settlement = AuditRecord.objects.create(
        kind=Kind.RECONCILE, created_at="2026-11-01T00:00Z", reconciles=pending
    )
    lift_immutability()
    raw(
        "UPDATE audit_auditrecord SET reconciles_id = %s WHERE id = %s",
        [closed.pk, settlement.pk],
    )

    report = chain_verify()

    assert report.problem == CONTENT_CHANGED.format(record=settlement.pk, seq=settlement.seq)


def test_each_seal_covers_its_records_id_and_the_record_before_it(trail):
    closed = trail["closed"]
    track = AuditRecord.objects.get(kind=Kind.TRACK)

    content = record_content(closed, completed_later=True)
    completion = completion_content(closed)

    assert (content["format"], content["id"], content["prev_record"]) == (
        2,
        closed.pk,
        AuditRecord.objects.get(kind=Kind.LOGIN).pk,
    )
    assert (completion["record"], completion["prev_record"]) == (closed.pk, closed.pk)
    assert track.prev_record_id == closed.pk


def format_1(record: AuditRecord, *, prev: str) -> str:
    """Re-seal a record as format 1 would have (what every record written before format 2 is)."""
    record.seal_format, record.prev_record_id = 1, None
    digest = seal_hash(
        record_content(record, completed_later=written_pending(record)), seq=record.seq, prev=prev
    )
    raw(
        "UPDATE audit_auditrecord SET seal_format = 1, prev_record_id = NULL, hash = %s "
        "WHERE id = %s",
        [digest, record.pk],
    )
    return digest


def test_records_sealed_in_format_1_still_verify_beside_format_2(support_user):
    old_login = audit_event(kind=Kind.LOGIN, actor=support_user)
    old_pending = start_operation(support_user)
    lift_immutability()
    first = format_1(old_login, prev=GENESIS_HASH)
    raw("UPDATE audit_auditrecord SET prev_hash = %s WHERE id = %s", [first, old_pending.pk])
    old_pending.refresh_from_db()
    format_1(old_pending, prev=first)
    old_pending.refresh_from_db()

    # Written after the upgrade: the old pending operation completes in its own format.
    finish_operation(old_pending)
    new = audit_event(kind=Kind.LOGOUT, actor=support_user)

    old_pending.refresh_from_db()
    assert (old_pending.seal_format, new.seal_format) == (1, 2)
    assert "record" not in completion_content(old_pending)
    report = chain_verify()
    assert report.intact, report.problem
    assert report.seals == 4


def test_downgrading_a_format_2_seal_to_format_1_is_reported(trail):
    login = AuditRecord.objects.get(kind=Kind.LOGIN)
    lift_immutability()
    raw("UPDATE audit_auditrecord SET seal_format = 1 WHERE id = %s", [login.pk])

    assert chain_verify().problem == CONTENT_CHANGED.format(record=login.pk, seq=1)


def test_resealing_an_edited_record_breaks_the_link_to_the_next_one(trail):
    """Whoever edits a record and recomputes its own hash still breaks the next link."""
    login = AuditRecord.objects.get(kind=Kind.LOGIN)
    lift_immutability()
    raw("UPDATE audit_auditrecord SET ip_address = '192.0.2.99' WHERE id = %s", [login.pk])
    login.refresh_from_db()
    digest = seal_hash(record_content(login, completed_later=False), seq=1, prev=GENESIS_HASH)
    raw("UPDATE audit_auditrecord SET hash = %s WHERE id = %s", [digest, login.pk])

    report = chain_verify()

    closed = trail["closed"]
    assert report.problem == LINK_BROKEN.format(record=closed.pk, seq=2, previous=1)


def test_a_head_kept_outside_catches_a_rewritten_chain(trail):
    anchor = chain_head().anchor
    lift_immutability()
    closed = trail["closed"]
    raw("UPDATE audit_auditrecord SET error_code = 'OSM.0004' WHERE id = %s", [closed.pk])
    # Rewrite every seal from the first so that the chain is self-consistent again.
    previous = GENESIS_HASH
    seals = []
    for record in AuditRecord.objects.all():
        seals.append((record.seq, "record", record.pk))
        if record.completion_seq:
            seals.append((record.completion_seq, "completion", record.pk))
    for seq, stage, pk in sorted(seals):
        record = AuditRecord.objects.get(pk=pk)
        if stage == "record":
            content = record_content(record, completed_later=written_pending(record))
            digest = seal_hash(content, seq=seq, prev=previous)
            raw(
                "UPDATE audit_auditrecord SET prev_hash = %s, hash = %s WHERE id = %s",
                [previous, digest, pk],
            )
        else:
            digest = seal_hash(completion_content(record), seq=seq, prev=previous)
            raw(
                "UPDATE audit_auditrecord SET completion_prev_hash = %s, completion_hash = %s "
                "WHERE id = %s",
                [previous, digest, pk],
            )
        previous = digest
    assert chain_verify().intact

    with pytest.raises(CommandError) as failure:
        verify("--anchor", anchor)

    assert ANCHOR_CHANGED.format(seq=6) in str(failure.value)


def test_a_head_kept_outside_catches_records_cut_off_the_end(trail):
    anchor = chain_head().anchor
    lift_immutability()
    raw("DELETE FROM audit_auditrecord WHERE seq = 6")

    report = chain_verify(anchors=[(6, anchor.split(":")[1])])

    assert report.problem == ANCHOR_MISSING.format(seq=6)


def test_records_created_in_bulk_are_sealed_in_order(trail, support_user):
    made = AuditRecord.objects.bulk_create(
        AuditRecord(
            kind=Kind.SYNC, created_at="2026-11-01T00:00Z", detail=str(n), seq=999, hash="x"
        )
        for n in range(5)
    )

    assert [record.seq for record in made] == [7, 8, 9, 10, 11]
    assert [record.pk for record in made] == sorted(record.pk for record in made)
    stored = AuditRecord.objects.filter(seq__gte=7).order_by("seq")
    assert [record.pk for record in stored] == [record.pk for record in made]
    assert [record.prev_record_id for record in stored][1:] == [r.pk for r in made][:-1]
    assert chain_verify().intact
    with pytest.raises(RecordImmutable):
        AuditRecord.objects.bulk_create([AuditRecord(kind=Kind.SYNC)], ignore_conflicts=True)


@pytest.mark.parametrize("seal", ["6", "²", "٦", "-6", "99999999999999999999999", "6.0", ""])
def test_audit_verify_refuses_a_malformed_anchor(trail, seal):
    digest = "not-a-hash" if seal == "6" else "a" * 64
    with pytest.raises(CommandError, match=re.escape(ANCHOR_INVALID)):
        verify(f"--anchor={seal}:{digest}")


def test_an_empty_trail_is_intact():
    report = chain_verify()
    assert report.intact
    assert report.head.hash == GENESIS_HASH


def test_values_are_sealed_as_the_database_gives_them_back(support_user):
    """Text dates, IPv6 in capitals, big floats in JSON and non-ASCII text all verify."""
    AuditRecord.objects.create(
        kind=Kind.LOGIN,
        created_at="2026-11-01T08:00:00+08:00",
        actor=support_user,
        actor_username="sam",
        ip_address="2001:DB8::1",
        data={"big": 1e16, "small": 1.5e-7, "name": "工单-42", "nested": [1, {"b": None}]},
    )
    audit_event(kind=Kind.SYNC, data={"created": 3}, origin=Origin(ip_address="::ffff:10.0.0.1"))

    assert chain_verify().intact


def test_a_nul_character_from_the_upstream_does_not_lose_the_record(support_user):
    record = start_operation(support_user)

    result = CallResult(
        call=prepared(), outcome=Outcome.HTTP_ERROR, http_status=502, raw_body="bad\x00gateway"
    )
    finished = audit_operation_finish(record=record, result=result)

    assert finished.response_body == "bad\ufffdgateway"
    assert chain_verify().intact


# Text of any kind, NUL included (PostgreSQL stores none: it is kept as U+FFFD).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(st.characters(blacklist_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.text(st.characters(blacklist_categories=["Cs"]), max_size=8),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(st.text(max_size=5), json_values, max_size=4),  # keys may hold NUL too
    detail=st.text(st.characters(blacklist_categories=["Cs"])),
)
def test_any_event_verifies_after_a_round_trip_through_the_database(db, data, detail):
    record = audit_event(kind=Kind.EXPORT, detail=detail, data=data)

    stored = AuditRecord.objects.get(pk=record.pk)
    content = record_content(stored, completed_later=False)
    assert seal_hash(content, seq=stored.seq, prev=stored.prev_hash) == stored.hash


def test_concurrent_writers_in_separate_processes_do_not_fork_the_chain(scratch_database):
    writes = (
        "from ticketui.audit.models import Kind\n"
        "from ticketui.audit.services import audit_event\n"
        "for n in range(30):\n"
        "    audit_event(kind=Kind.SYNC, detail=str(n))\n"
    )
    writers = [manage_popen("shell", "-c", writes, url=scratch_database) for _ in range(4)]
    for writer in writers:
        _out, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err

    verified = manage("audit_verify", url=scratch_database)

    assert verified.returncode == 0, verified.stderr
    assert "The audit chain is intact: 120 seals checked." in verified.stdout


@pytest.mark.parametrize("earlier", [0, 2], ids=["the first record", "a later record"])
def test_a_new_record_reads_its_id_and_the_chain_head_in_one_query(support_user, earlier):
    for _ in range(earlier):
        audit_event(kind=Kind.LOGIN, actor=support_user)

    with CaptureQueriesContext(connection) as queries:
        record = audit_event(kind=Kind.LOGIN, actor=support_user)

    reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and "audit_auditrecord" in query["sql"]
    ]
    assert len(reads) == 1
    assert record.seq == earlier + 1
    assert AuditRecord.objects.get(pk=record.pk).prev_record_id == (
        None if not earlier else AuditRecord.objects.get(seq=earlier).pk
    )
    call_command("audit_verify")

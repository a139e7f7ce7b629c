"""However many learners ask for the same uncached lecture at once, exactly one generation runs."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from lectures import services
from lectures.models import Lecture
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from library.tests.conftest import ingest
from workers.models import GenerationJob

LEARNERS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_start_exactly_one_generation(alice):
    shared = ingest(alice, "bread.md", BAKING_MD, shared=True)
    users = [get_user_model().objects.create_user(f"learner{i}") for i in range(LEARNERS)]
    sections = [make_course(u, shared)[1] for u in users]
    barrier = threading.Barrier(LEARNERS)
    results, errors = [None] * LEARNERS, []

    def ask(i):
        try:
            barrier.wait()
            results[i] = services.open_section(sections[i], users[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(LEARNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Lecture.objects.count() == 1
    assert GenerationJob.objects.filter(kind="lecture").count() == 1
    lecture = Lecture.objects.get()
    assert {r.lecture.pk for r in results} == {lecture.pk}
    assert all(r.state == "generating" for r in results)

"""ServiceQueue: continuous-time, multi-server, non-preemptive priority service."""

from __future__ import annotations

from dataclasses import dataclass

from scrm_sim.model.queues import ServiceQueue


@dataclass
class Person:
    busy_until: float = 0.0


def serve_fixed(duration: float, log: list):
    def serve(post, server, start):
        log.append((post, start))
        return start + duration

    return serve


def always(_post, _at):
    return True


def test_a_free_server_starts_a_post_the_moment_it_arrives():
    queue, log = ServiceQueue("q"), []
    queue.add(post=1, arrival=0.3, priority=1)
    queue.run(0.0, 1.0, [Person()], serve_fixed(0.1, log), always)
    assert log == [(1, 0.3)]


def test_posts_of_equal_priority_are_served_first_come_first_served():
    queue, log = ServiceQueue("q"), []
    for post, arrival in [(1, 0.2), (2, 0.1), (3, 0.3)]:
        queue.add(post, arrival, priority=1)
    queue.run(0.0, 2.0, [Person()], serve_fixed(0.5, log), always)
    assert [post for post, _ in log] == [2, 1, 3]


def test_higher_priority_goes_first_among_posts_that_have_arrived():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, priority=1)  # starts at once
    queue.add(2, 0.1, priority=1)
    queue.add(3, 0.2, priority=5)  # arrives later but outranks post 2
    queue.run(0.0, 3.0, [Person()], serve_fixed(0.5, log), always)
    assert [post for post, _ in log] == [1, 3, 2]


def test_a_later_high_priority_post_does_not_jump_ahead_of_one_already_waiting_alone():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, priority=1)
    queue.add(2, 0.7, priority=9)  # arrives after the server took post 1 at 0.0
    queue.run(0.0, 2.0, [Person()], serve_fixed(0.5, log), always)
    assert log == [(1, 0.0), (2, 0.7)]


def test_two_servers_work_in_parallel():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, 1)
    queue.add(2, 0.0, 1)
    queue.run(0.0, 1.0, [Person(), Person()], serve_fixed(0.5, log), always)
    assert sorted(start for _, start in log) == [0.0, 0.0]


def test_work_not_started_by_the_end_of_the_step_waits_for_the_next():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, 1)
    queue.add(2, 0.1, 1)
    server = Person()
    queue.run(0.0, 1.0, [server], serve_fixed(1.2, log), always)
    assert [p for p, _ in log] == [1]
    assert queue.waiting(1.0, lambda posts, at: posts == posts) == 1
    queue.run(1.0, 2.0, [server], serve_fixed(1.2, log), always)
    assert log[1] == (2, 1.2)  # starts the moment the server frees, inside the next step


def test_posts_that_are_no_longer_live_are_skipped():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, 1)
    queue.add(2, 0.1, 1)
    queue.run(0.0, 1.0, [Person()], serve_fixed(0.1, log), lambda post, at: post != 1)
    assert [p for p, _ in log] == [2]


def test_a_server_busy_past_the_step_serves_nothing_in_it():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.0, 1)
    queue.run(0.0, 1.0, [Person(busy_until=1.5)], serve_fixed(0.1, log), always)
    assert log == []


def test_a_post_arriving_after_the_step_waits_for_its_step_with_the_server_untouched():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 1.5, 1)
    server = Person(busy_until=0.2)
    queue.run(0.0, 1.0, [server], serve_fixed(0.1, log), always)
    assert log == [] and server.busy_until == 0.2 and queue.unstarted(2.0) == [1]
    queue.run(1.0, 2.0, [server], serve_fixed(0.1, log), always)
    assert log == [(1, 1.5)]


def test_a_post_arriving_just_before_the_step_ends_is_started_in_it():
    queue, log = ServiceQueue("q"), []
    queue.add(1, 0.999, 1)
    queue.run(0.0, 1.0, [Person()], serve_fixed(0.1, log), always)
    assert log == [(1, 0.999)]

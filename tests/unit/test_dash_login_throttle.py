"""The login throttle's rules on a real ``limits`` storage (SQLite file and memory): growing delays per
user name, capped; a limit per address across names; nothing counted while refused.
(Through gunicorn with two workers: tests/integration/test_security.py, dashboard section.)
"""

from __future__ import annotations

import time

import pytest
from limits.storage import storage_from_string

from dash_app.login_throttle import LoginThrottle, address_group, open_storage


@pytest.fixture(params=["sqlite", "memory"])
def storage(request, tmp_path):
    return open_storage(f"sqlite:///{tmp_path / 'limits.db'}") if request.param == "sqlite" \
        else storage_from_string("memory://")


def test_delays_grow_per_failure_and_stop_at_the_cap():
    throttle = LoginThrottle(storage_from_string("memory://"), free_failures=3, max_delay=60)
    assert [throttle.delay_after(n) for n in range(1, 12)] == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert throttle.delay_after(10_000) == 60  # never more than the cap: no lockout of the real user


def test_a_paused_name_is_refused_then_free_again(storage):
    throttle = LoginThrottle(storage, free_failures=2, max_delay=1)
    assert throttle.failed("alice", "10.0.0.1") == (1, 0)
    assert throttle.wait("alice", "10.0.0.1") == 0
    assert throttle.failed("Alice", "10.0.0.2") == (2, 1)  # the same name whatever the case, any address
    assert throttle.wait("alice", "10.0.0.3") == 1
    assert throttle.wait("bob", "10.0.0.3") == 0  # another name is not paused
    time.sleep(1.1)
    assert throttle.wait("alice", "10.0.0.3") == 0
    throttle.succeeded("alice")
    assert throttle.failed("alice", "10.0.0.1") == (1, 0)  # a successful login forgets the failures


def test_spraying_many_names_from_one_address_is_limited(storage):
    throttle = LoginThrottle(storage, address_limit="20 per 10 minutes")
    waits = []
    for i in range(60):
        name = f"user{i}"
        waits.append(throttle.wait(name, "203.0.113.7"))
        if not waits[-1]:
            throttle.failed(name, "203.0.113.7")
    assert waits[:20] == [0] * 20 and all(500 < w <= 600 for w in waits[20:]), waits
    assert throttle.wait("user0", "203.0.113.8") == 0  # another address is not limited


def test_ipv6_addresses_count_per_64_block():
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_group("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_group("192.0.2.1") == "192.0.2.1"

"""Control: the render loop's status out to the web threads, and their commands in."""

import threading

from support import FakeClock

from spirokiosk.daemon.service.control import (
    Control,
    Pause,
    PlayCurve,
    Reloaded,
    ReplacePlaylist,
    Resume,
    Skip,
)
from spirokiosk.display.curves import PRESETS

# -- the control object -----------------------------------------------------------------


def test_control_is_alive_only_while_the_loop_ticks():
    clock = FakeClock()
    control = Control(stall_seconds=2.0, clock=clock)
    assert not control.is_alive()  # before the first tick
    control.beat(clock.now)
    clock.now += 1.9
    assert control.is_alive()
    clock.now += 0.2
    assert not control.is_alive()  # stalled
    control.beat(clock.now)
    assert control.is_alive()
    control.stopped()
    assert not control.is_alive()


def test_control_status_is_the_newest_published_and_a_copy():
    control = Control()
    assert control.status() == {}
    first = {"fps": 60.0}
    control.publish_status(first)
    seen = control.status()
    seen["viewers"] = 3  # what the web adds stays out of what was published
    assert first == {"fps": 60.0}
    control.publish_status({"fps": 59.0})
    assert control.status() == {"fps": 59.0}


def test_control_command_queue_is_bounded_and_drained_in_order():
    control = Control(max_queued=3)
    curves = [PRESETS[name] for name in ("seed-magma-11", "gears-96-52", "gears-96-30")]
    assert all(control.play_curve(curve) for curve in curves)
    assert not control.play_curve(PRESETS["gears-105-63"])  # full: refused, not buffered
    assert control.take_commands(limit=2) == [PlayCurve(curves[0]), PlayCurve(curves[1])]
    assert control.take_commands() == [PlayCurve(curves[2])]
    assert control.take_commands() == []


def test_a_reload_waits_for_room_in_a_full_queue_and_is_not_refused():
    control = Control(max_queued=2)
    assert control.skip() and control.pause()
    reloaded = Reloaded(None)
    assert not control.hand_over_reload(reloaded, timeout=0)  # full: it waits, then says so
    handed = threading.Thread(target=control.hand_over_reload, args=(reloaded, 10))
    handed.start()  # as the reloader waits while the loop drains the queue
    assert control.take_commands(limit=1) == [Skip()]
    handed.join(10)
    assert control.take_commands() == [Pause(), reloaded]


def test_control_is_safe_to_use_from_many_threads():
    control = Control(max_queued=10_000)

    def ask():
        for _ in range(500):
            control.play_curve(PRESETS["gears-96-30"])
            control.status()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    taken = 0
    while any(t.is_alive() for t in threads) or taken < 2000:
        control.publish_status({"frames": taken})
        taken += len(control.take_commands(limit=100))
    for thread in threads:
        thread.join()
    assert taken == 2000


def test_curve_requests_are_bounded_by_what_the_scene_already_holds():
    control = Control(max_queued=3)
    curve = PRESETS["gears-96-30"]
    assert all(control.play_curve(curve) for _ in range(3))
    assert not control.play_curve(curve)  # three commands wait
    assert len(control.take_commands()) == 3
    control.note_scene_queue(3)  # the loop handed them to the scene, not started yet
    assert not control.play_curve(curve)
    control.note_scene_queue(2)  # one started
    assert control.play_curve(curve)


def test_control_commands_queue_in_order_with_the_curves():
    control = Control(max_queued=5)
    curve = PRESETS["gears-96-30"]
    assert control.pause() and control.play_curve(curve) and control.skip()
    assert control.replace_playlist(["random", "gears-96-52"]) and control.resume()
    assert not control.skip()  # full: refused like a curve
    assert control.take_commands() == [
        Pause(),
        PlayCurve(curve),
        Skip(),
        ReplacePlaylist(("random", "gears-96-52")),
        Resume(),
    ]


def test_one_client_cannot_fill_the_queue_and_gets_its_places_back_as_curves_start():
    control = Control(per_client=3)
    curve = PRESETS["gears-96-52"]
    assert all(control.play_curve(curve, client="10.0.0.7") for _ in range(3))
    assert not control.play_curve(curve, client="10.0.0.7")  # its share is taken
    assert control.play_curve(curve, client="10.0.0.8")  # another client's is not
    assert control.play_curve(curve)  # nor the kiosk's own parts (MQTT, playlist)
    assert control.waiting_for("10.0.0.7") == 3
    taken = control.take_commands()  # the loop hands all five to the scene
    control.note_scene_queue(len(taken))
    assert control.waiting_for("10.0.0.7") == 3
    control.note_scene_queue(len(taken) - 1)  # the oldest started: it was 10.0.0.7's
    assert control.waiting_for("10.0.0.7") == 2
    assert control.play_curve(curve, client="10.0.0.7")
    control.note_scene_queue(0)  # every curve started
    assert control.waiting_for("10.0.0.7") == 1  # the one still in the command queue

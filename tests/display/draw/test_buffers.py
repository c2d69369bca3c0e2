"""FrameBuffers: a frame is drawn on the buffer of the last one unless that is lent to
the mirror; another buffer then learns what it missed."""

import threading

import pygame
import pytest

from spirokiosk.display.draw.buffers import MAX_BUFFERS, FrameBuffers

SIZE = (100, 80)


@pytest.fixture
def buffers():
    return FrameBuffers(SIZE, lambda size: pygame.Surface(size))


def test_the_same_buffer_while_nothing_is_lent(buffers):
    first, stale = buffers.take()
    assert stale is None  # fresh: holds nothing yet
    buffers.drawn(first, [pygame.Rect(0, 0, *SIZE)])
    again, stale = buffers.take()
    assert again is first and stale == []


def test_a_lent_buffer_is_not_drawn_on_until_given_back(buffers):
    first, _ = buffers.take()
    buffers.drawn(first, [pygame.Rect(0, 0, *SIZE)])
    give_back = buffers.lend(first)
    second, stale = buffers.take()
    assert second is not first and stale is None  # so the loop draws all of it
    buffers.drawn(second, [pygame.Rect(10, 10, 5, 5)])  # the frame's change, not on `first`
    assert buffers.take()[0] is second  # second is not lent: drawn on again
    buffers.lend(second)
    give_back()
    assert buffers.lent == 1
    back, stale = buffers.take()
    assert back is first
    assert stale == [pygame.Rect(10, 10, 5, 5)]  # only what it missed is redrawn


def test_giving_back_twice_frees_once_from_any_thread(buffers):
    first, _ = buffers.take()
    buffers.drawn(first, [])
    give_back = buffers.lend(first)
    threads = [threading.Thread(target=give_back) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert buffers.lent == 0
    assert buffers.take()[0] is first


def test_a_buffer_that_missed_most_of_the_picture_is_redrawn_whole(buffers):
    first, _ = buffers.take()
    buffers.drawn(first, [pygame.Rect(0, 0, *SIZE)])
    give_back = buffers.lend(first)
    second, _ = buffers.take()
    buffers.drawn(second, [pygame.Rect(0, 0, 90, 70)])  # a frame that changed most of it
    buffers.lend(second)
    give_back()
    back, stale = buffers.take()
    assert back is first and stale is None


def test_too_many_lent_buffers_is_an_error_not_a_new_allocation_each_frame(buffers):
    for _ in range(MAX_BUFFERS):
        buffer, _ = buffers.take()
        buffers.drawn(buffer, [])
        buffers.lend(buffer)
    with pytest.raises(RuntimeError, match="frame buffers are lent"):
        buffers.take()

"""Byte-budgeted LRU of serialised page bodies.

Bounded by bytes rather than entries because child endpoints (one page per
parent) can produce millions of small pages while list endpoints produce
fewer large ones.
"""

import threading
from collections import OrderedDict


class PageCache:
    def __init__(self, max_bytes=128 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = value
            self._bytes += len(value)
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted)

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0

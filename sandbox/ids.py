"""Deterministic, unique and reversible identifiers and timestamps.

Every id embeds its record index (XOR-masked so it still looks opaque), which
keeps ids unique without bookkeeping and lets a child endpoint map an id from
the URL back to its parent index in O(1) -- needed for a million-record server
that never materialises its data.
"""

import base64
import functools
import hashlib
import time

# 2024-01-01T00:00:00Z: where every incremental stream's cursor starts.
BASE_EPOCH = 1704067200

_INDEX_BITS = 48
_INDEX_MASK = (1 << _INDEX_BITS) - 1
# Odd multiplier: a bijection on 48-bit ints, so neighbouring indices get unrelated-looking tails.
_MIX = 0x9E3779B97F4B & _INDEX_MASK | 1
_UNMIX = pow(_MIX, -1, 1 << _INDEX_BITS)


def digest(seed, stream, i):
    return hashlib.blake2b(f"{seed}|{stream}|{i}".encode(), digest_size=16).digest()


def hval(seed, stream, i):
    """A cheap deterministic non-negative int, for per-record choices made outside an RNG."""
    return int.from_bytes(digest(seed, stream, i)[:8], "big")


@functools.lru_cache(maxsize=256)
def _mask(seed, stream):
    return hval(seed, stream, "mask") & _INDEX_MASK


def _hide(seed, stream, i):
    return ((i * _MIX) & _INDEX_MASK) ^ _mask(seed, stream)


def _reveal(seed, stream, tail):
    return ((tail ^ _mask(seed, stream)) * _UNMIX) & _INDEX_MASK


def uid(seed, stream, i):
    """uuid4-shaped string; the last group is the masked index."""
    h = digest(seed, stream, i).hex()
    tail = _hide(seed, stream, i)
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{tail:012x}"


def uid_index(seed, stream, value):
    """Inverse of uid(); None when value was not produced by uid() for this stream."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        i = _reveal(seed, stream, int(value[24:], 16))
    except ValueError:
        return None
    return i if uid(seed, stream, i) == value else None


def short_id(seed, stream, i):
    """22-char url-safe opaque id (like hosted-meeting user ids)."""
    head = base64.urlsafe_b64encode(digest(seed, stream, i)[:10]).decode()[:14]
    tail = base64.urlsafe_b64encode(_hide(seed, stream, i).to_bytes(6, "big")).decode()
    return head + tail


def short_id_index(seed, stream, value):
    if not isinstance(value, str) or len(value) != 22:
        return None
    try:
        i = _reveal(seed, stream, int.from_bytes(base64.urlsafe_b64decode(value[14:]), "big"))
    except (ValueError, TypeError):
        return None
    return i if short_id(seed, stream, i) == value else None


def ts(offset_seconds):
    """ISO 8601 UTC, exactly YYYY-MM-DDTHH:MM:SSZ, offset from 2024-01-01."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE_EPOCH + int(offset_seconds)))


def day(offset_seconds):
    """Midnight of the day containing the offset, same format as ts()."""
    return ts(int(offset_seconds) // 86400 * 86400)

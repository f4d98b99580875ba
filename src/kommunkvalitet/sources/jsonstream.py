"""Read the objects of a top-level JSON array one at a time, without holding the file in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kommunkvalitet.errors import InputError

_DECODER = json.JSONDecoder()
_CHUNK = 1 << 16


def iter_array(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, object)`` for each element of the JSON array in ``path``.

    ``line`` is the 1-based line where the element starts. Memory is bounded by the largest element.
    """
    buf = ""
    line = 1
    pos = 0
    eof = False
    started = False
    with open(path, encoding="utf-8") as fh:

        def fill() -> bool:
            nonlocal buf, pos, eof
            chunk = fh.read(_CHUNK)
            if not chunk:
                eof = True
                return False
            buf = buf[pos:] + chunk
            pos = 0
            return True

        def skip_ws() -> None:
            nonlocal pos, line
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n":
                    if buf[pos] == "\n":
                        line += 1
                    pos += 1
                if pos < len(buf) or not fill():
                    return

        skip_ws()
        if pos >= len(buf):
            raise InputError("the file is empty", file=str(path), line=1)
        if buf[pos] != "[":
            raise InputError("expected a JSON array ('[')", file=str(path), line=line)
        pos += 1
        started = True
        while started:
            skip_ws()
            if pos >= len(buf):
                raise InputError("the JSON array is not closed (truncated file?)", file=str(path), line=line)
            if buf[pos] == "]":
                return
            if buf[pos] == ",":
                pos += 1
                skip_ws()
            while True:
                try:
                    obj, end = _DECODER.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as exc:
                    if eof or not fill():
                        raise InputError(
                            f"invalid JSON: {exc.msg}", file=str(path), line=line + exc.lineno - 1
                        ) from None
            yield line, obj
            line += buf.count("\n", pos, end)
            pos = end

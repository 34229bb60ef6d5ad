"""The EDIFACT syntax layer shared by the PAXLST and PNRGOV readers: decoding, the
real-world clean-ups, and pydifact's segment parser."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment


class EdifactError(ValueError):
    """An interchange whose syntax cannot be read; the message names the file."""


def looks_like_edifact(path: Path) -> bool:
    """An EDIFACT interchange (UNA or UNB first), whatever the file is called."""
    if not Path(path).is_file():
        return False
    with Path(path).open("rb") as fh:
        head = fh.read(64).lstrip()
    return head[:3] in (b"UNA", b"UNB")


def clean(text: str) -> str:
    """Drop line breaks, blanks between segments and inside tags, junk after UNZ."""
    text = text.replace("\u2019", "'")  # typographic quotes typed for the terminator
    sep, term = "+", "'"
    m = re.match(r"\s*UNA(.)(.)(.)(.)(.)(.)", text)
    if m:
        sep, term = m.group(2), m.group(6)
    t, s = re.escape(term), re.escape(sep)
    if term not in "\r\n":
        text = re.sub(r"[\r\n]+", "", text)  # lines wrapped inside a segment
    # A function, not the string: a terminator such as a backslash is no template for re.
    text = re.sub(rf"{t}[ \t]+", lambda _: term, text.strip())
    text = re.sub(rf"(^|{t})([A-Z]{{3}})[ \t]+(?={s}|{t})", r"\1\2", text)
    end = re.search(rf"(^|{t})UNZ{s}[^{t}]*({t}|$)", text)
    text = text[: end.end()] if end else text
    return text if text.endswith(term) else text + term  # a last segment left open


def element(seg, i: int, j: int = 0) -> str:
    """Component j of element i of a segment ('' when absent)."""
    if i >= len(seg.elements):
        return ""
    e = seg.elements[i]
    if isinstance(e, list):
        return e[j] if j < len(e) else ""
    return e if j == 0 else ""


def parse_segments(path: Path) -> list[Segment]:
    """The segments of a file: UTF-8 or else Latin-1, cleaned, parsed by pydifact."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    cleaned = clean(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydifact warns on every message type it lacks
            return list(Parser().parse(cleaned))
    # pydifact raises both on broken syntax, and IndexError where a mangled service string
    # advice or a cut segment sends its tokenizer past the end of the text (found by fuzzing).
    except (EDISyntaxError, ValueError, IndexError) as exc:
        raise EdifactError(f"{path}: EDIFACT syntax{_where(cleaned)}: {exc}") from exc


def _where(text: str) -> str:
    """' at segment N (TEXT)' for the first segment whose tag is not three capitals."""
    term = text[8] if text.startswith("UNA") and len(text) > 8 else "'"
    sep = text[4] if text.startswith("UNA") and len(text) > 8 else "+"
    body = text[9:] if text.startswith("UNA") else text
    for n, raw in enumerate(body.split(term), start=1):  # segments of one file
        if raw and not re.fullmatch(r"[A-Z0-9]{3}", raw.split(sep)[0]):
            return f" at segment {n} ({raw[:30]!r})"
    return ""


class EdifactCountWarning(UserWarning):
    """A trailer count (UNT segments, UNZ messages) that disagrees with the content."""


def count_problems(segments: list[Segment]) -> list[str]:
    """Trailer counts that disagree with the content. Real senders get them wrong often
    (GTAS samples: UNT+135 on a 20-segment message), so readers warn and go on."""
    problems = []
    start = None
    messages = 0
    for i, seg in enumerate(segments):  # segments of one file
        if seg.tag == "UNH":
            start, messages = i, messages + 1
        elif seg.tag == "UNT" and start is not None:
            actual = i - start + 1
            said = element(seg, 0)
            if not (said.isascii() and said.isdigit()) or int(said) != actual:
                problems.append(f"UNT says {said} segments, message {element(seg, 1)} has {actual}")
            start = None
        elif seg.tag == "UNZ" and element(seg, 0) not in (str(messages), ""):
            groups = sum(s.tag == "UNG" for s in segments)
            if element(seg, 0) != str(groups):  # UNZ counts groups when there are groups
                problems.append(f"UNZ says {element(seg, 0)} messages, interchange has {messages}")
    return problems


def read_segments(path: Path, error: type[ValueError]) -> list[Segment]:
    """`parse_segments`, with syntax errors raised as the reader's own `error` type and
    trailer-count mismatches issued as warnings."""
    try:
        segments = parse_segments(path)
    except EdifactError as exc:
        raise error(str(exc)) from exc
    for problem in count_problems(segments):
        warnings.warn(f"{path}: {problem}", EdifactCountWarning, stacklevel=3)
    return segments

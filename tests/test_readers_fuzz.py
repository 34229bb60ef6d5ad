"""Every reader, on random and mutated input, gives a result or our own error type."""

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.data.formats.mrz import parse_mrz
from screening.data.formats.ofac_sdn import read_ofac_sdn
from screening.data.formats.paxlst import PaxlstError, read_paxlst
from screening.data.formats.pnrgov import PnrgovError, read_pnrgov
from screening.data.formats.un_list import ListFormatError, read_un_xml
from tests.test_mrz import SPECIMENS
from tests.test_ofac_sdn import SDN
from tests.test_paxlst import OURS as PAXLST
from tests.test_pnrgov import OURS as PNRGOV
from tests.test_un_list import SAMPLE

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _mutate(data, text: str) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text) - 1))
        cut = data.draw(st.integers(0, 5))
        text = text[:i] + data.draw(st.text(max_size=4)) + text[i + cut :]
    return text


READERS = {  # sample of our own, reader, the reader's error type, file name
    "un_xml": (SAMPLE, read_un_xml, ListFormatError, "l.xml"),
    "ofac_sdn": (SDN, read_ofac_sdn, ListFormatError, "sdn.csv"),
    "paxlst": (PAXLST, read_paxlst, PaxlstError, "m.edi"),
    "pnrgov": (PNRGOV, read_pnrgov, PnrgovError, "p.edi"),
}


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(data=st.data())
def test_file_readers(tmp_path, reader, data):
    sample, read, error, name = READERS[reader]
    path = tmp_path / name
    path.write_bytes(_mutate(data, sample).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(error):
        read(path)


@FUZZ
@given(data=st.data())
def test_mrz_parser(data):
    zone = data.draw(st.sampled_from([z for _, z, *_ in SPECIMENS]))
    result = parse_mrz(_mutate(data, zone))
    assert result.layout in ("TD1", "TD2", "TD3", "unknown")
    assert isinstance(result.problems, tuple)


@FUZZ
@given(text=st.text(max_size=200))
def test_mrz_parser_on_random_text(text):
    assert parse_mrz(text).layout in ("TD1", "TD2", "TD3", "unknown")


def test_a_syntax_identifier_without_its_version_is_a_format_error(tmp_path):
    """pydifact indexes past the end of a UNB syntax identifier with no version (found by
    the fuzzer above): the reader says so with its own error, naming the file."""
    path = tmp_path / "p.edi"
    path.write_text(PNRGOV.replace("UNB+IATA:1+", "UNB+I+", 1))
    with pytest.raises(PnrgovError, match=r"p\.edi"):
        read_pnrgov(path)


def test_a_backslash_terminator_is_read_as_any_other(tmp_path):
    """A service string advice may name a backslash as the segment terminator; the clean-up
    once passed it to re.sub as a replacement template, which failed (found by the fuzzer
    above)."""
    usual, backslash = tmp_path / "p.edi", tmp_path / "b.edi"
    usual.write_text(PNRGOV)
    backslash.write_text(PNRGOV.replace("'", "\\ "))  # a blank after each, as some send
    got, expected = read_pnrgov(backslash), read_pnrgov(usual)
    assert all(g.equals(e) for g, e in zip(got, expected, strict=True))

"""Every reader, on random and mutated input, gives a result or our own error type."""

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.formats.mrz import parse_mrz
from screening.formats.ofac_sdn import read_ofac_sdn
from screening.formats.un_list import ListFormatError, read_un_xml
from tests.test_mrz import SPECIMENS
from tests.test_ofac_sdn import SDN
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


@FUZZ
@given(data=st.data())
def test_un_xml_reader(tmp_path, data):
    path = tmp_path / "l.xml"
    path.write_bytes(_mutate(data, SAMPLE).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(ListFormatError):
        read_un_xml(path)


@FUZZ
@given(data=st.data())
def test_ofac_reader(tmp_path, data):
    path = tmp_path / "sdn.csv"
    path.write_bytes(_mutate(data, SDN).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(ListFormatError):
        read_ofac_sdn(path)


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

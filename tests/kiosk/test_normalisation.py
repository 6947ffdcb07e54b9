"""What a visitor types becomes what is stored (kiosk.domain.visit, documented in the README)."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.bootstrap import Core, assemble
from kiosk.domain.events import Hook
from kiosk.domain.visit import (
    FIELD_MAX,
    NAME_MAX,
    FieldError,
    SignInForm,
    clean_form,
    normalise_text,
)
from kiosk.visits.service import Visits

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl


def visit_count(core: Core) -> int:
    with core.store.reading() as db:
        return db.visits.count()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Rene\u0301 Dupont", "René Dupont"),  # e + combining acute == é
        ("Ann\tde\nVries", "Ann de Vries"),
        ("Ann \r\n\t Smith", "Ann Smith"),
        ("Ann\u00a0\u2003Smith", "Ann Smith"),  # no-break and em spaces
        ("Ann\x00\x07\x1b Smith", "Ann Smith"),  # other control characters vanish
        ("Ann\u202eevil\u202c", "Annevil"),  # bidi override and pop
        ("\u2066Ann\u2069 \u2067Smith\u2069", "Ann Smith"),  # isolates
        ("Ann\ud800 Smith", "Ann Smith"),  # an unpaired surrogate
        (f"  {FAMILY}  family  ", f"{FAMILY} family"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "می‌خواهم"),  # ZWNJ kept
        ("   padded   ", "padded"),
    ],
)
def test_normalise_text(typed: str, stored: str) -> None:
    assert normalise_text(typed) == stored


def test_zwj_sequence_survives_intact() -> None:
    result = normalise_text(FAMILY)
    assert result == FAMILY
    assert result.count("\u200d") == 2


@pytest.mark.parametrize(
    "typed",
    [
        "e\u202e\u0301",  # a removed bidi override between a letter and its accent
        "e\x00\u0301",  # a removed control character between a letter and its accent
        "e\ud800\u0301",  # a removed surrogate between a letter and its accent
    ],
)
def test_removing_invisible_characters_still_gives_nfc(typed: str) -> None:
    """The same name must be stored the same way however it was typed: the characters
    removed in step 2 must not leave a decomposed "é" behind."""
    assert normalise_text(typed) == "é"


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u202e\u2066", "\x00\x01"])
def test_blank_name_is_required(blank: str) -> None:
    with pytest.raises(FieldError) as caught:
        clean_form(SignInForm(visitor_name=blank))
    assert caught.value.field == "visitor_name"
    assert caught.value.code == "required"


def test_name_of_exactly_the_limit_is_accepted() -> None:
    name = "x" * NAME_MAX
    assert NAME_MAX == 100
    assert clean_form(SignInForm(visitor_name=f"  {name}  ")).visitor_name == name


def test_name_one_past_the_limit_is_refused() -> None:
    with pytest.raises(FieldError) as caught:
        clean_form(SignInForm(visitor_name="x" * (NAME_MAX + 1)))
    assert (caught.value.field, caught.value.code, caught.value.limit) == (
        "visitor_name",
        "too_long",
        100,
    )
    assert "xxx" not in str(caught.value)  # the message never repeats what was typed


def test_long_company_is_refused_and_nothing_stored(core: Core) -> None:
    form = SignInForm(visitor_name="Ann Smith", company="c" * 1000)
    with pytest.raises(FieldError) as caught:
        core.visits.sign_in(form, core.notices.notice("en"))
    assert (caught.value.field, caught.value.code, caught.value.limit) == (
        "company",
        "too_long",
        FIELD_MAX,
    )
    assert visit_count(core) == 0


@pytest.mark.parametrize(
    "text",
    [
        "محمد عبد الله",
        "王小明",
        "山田 太郎",
        "Nguyễn Thị Minh Khai",
        unicodedata.normalize("NFC", "Z\u0324\u0354\u0367\u0311\u0353"),  # stacked marks
        "अनुच्छेद",
        f"{FAMILY} 🦊",
        'Zoë O\'Brien "Bobby" `x` «y» „z“',
        "Robert'); DROP TABLE visits;--",
        "%s %(name)s {name} \\N ? :x",
    ],
)
def test_text_is_stored_and_read_back_exactly(core: Core, text: str) -> None:
    assert unicodedata.is_normalized("NFC", text)
    form = SignInForm(visitor_name=text, company=text, host=text, purpose=text)
    visit_id = core.visits.sign_in(form, core.notices.notice("en")).visit.visit_id
    stored = core.visits.get(visit_id)
    assert (stored.visitor_name, stored.company, stored.host, stored.purpose) == (text,) * 4
    assert visit_count(core) == 1


# Property tests.

_SPECIAL = (
    "\u0301\u0308\u0327\u200d\u200c\u202a\u202e\u2066\u2069\ud800\udfff\x00\t\n\r\x85 \u00a0e"
)
_ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.sampled_from(_SPECIAL))
# Any text, and short strings of only the awkward characters, where they meet each other.
_ANY_TEXT = st.one_of(
    st.text(alphabet=_ANY_CHAR, max_size=60),
    st.text(alphabet=st.sampled_from(_SPECIAL), max_size=8),
)


@given(_ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_normalise_text_never_raises_and_leaves_no_controls(text: str) -> None:
    result = normalise_text(text)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in result)
    assert result == result.strip()
    assert "  " not in result


@given(_ANY_TEXT)
@example("e\u202e\u0301")
@settings(max_examples=300, deadline=None)
def test_normalise_text_is_nfc(text: str) -> None:
    assert unicodedata.is_normalized("NFC", normalise_text(text))


@given(_ANY_TEXT)
@example("e\x00\u0301")
@settings(max_examples=300, deadline=None)
def test_normalise_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


_FORMS = st.builds(
    SignInForm,
    visitor_name=st.text(alphabet=_ANY_CHAR, max_size=110),
    company=st.text(alphabet=_ANY_CHAR, max_size=110),
    host=_ANY_TEXT,
    purpose=_ANY_TEXT,
)


@given(form=_FORMS)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_sign_in_stores_exactly_the_cleaned_form(core: Core, form: SignInForm) -> None:
    notice = core.notices.notice("nl")
    # No badge is printed for these sign-ins (nobody is told of them), so that the examples
    # run in seconds; what is stored is the same.
    visits = Visits(core.store, Hook("visit_signed_in"), core.config.site.kiosk_id)
    before = visit_count(core)
    expected: SignInForm | None = None
    refusal: tuple[str, str] | None = None
    try:
        expected = clean_form(form)
    except FieldError as error:
        refusal = (error.field, error.code)
    if expected is None:
        with pytest.raises(FieldError) as caught:
            visits.sign_in(form, notice)
        assert (caught.value.field, caught.value.code) == refusal
        assert visit_count(core) == before
        return
    visit = visits.sign_in(form, notice).visit
    stored = core.visits.get(visit.visit_id)
    assert SignInForm(stored.visitor_name, stored.company, stored.host, stored.purpose) == expected
    assert visit_count(core) == before + 1


def test_round_trip_in_a_database_opened_by_the_test() -> None:
    """A name with a bit of everything, on a database opened inside the test."""
    typed = f" \u202eRe\u0301ne\u0301\t{FAMILY}\x00 O'Brien\n"
    with tempfile.TemporaryDirectory() as folder:
        core = assemble(Path(folder), Path(folder) / "kiosk.toml")
        try:
            visit = core.visits.sign_in(SignInForm(typed), core.notices.notice("da")).visit
            assert (
                core.visits.get(visit.visit_id).visitor_name
                == clean_form(SignInForm(typed)).visitor_name
            )
            assert visit.visitor_name == f"Réné {FAMILY} O'Brien"
        finally:
            core.close()

"""Matching review texts against the taxonomy of themes (delivery time, packaging, price...).

The taxonomy is data (`Theme` rows per language, edited by administrators).
Both the keywords and the review's text are tokenised and stemmed with the
Snowball stemmer of the review's language (English, French or German; any other
language falls back to English), so "deliveries" and "delivered" meet the
keyword "delivery", "livraisons" meets "livraison", "Lieferungen" meets
"Lieferung". A keyword of several words matches the same stemmed words in a row.
German glues words together ("Lieferzeit", "Expresslieferung"), so there a
single keyword whose stem has at least five letters also matches inside a word.

The stemmed taxonomy is kept in the process, per language, and reloaded when a
Theme is saved or deleted (here, or in another process: a stamp in the shared
cache says so), so tagging a review costs no query per theme.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import snowballstemmer
from django.core.cache import cache as shared_cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from reviews.models import Review, Theme

STEMMERS = {"en": "english", "fr": "french", "de": "german"}
FALLBACK = "en"
COMPOUND_LANGUAGES = {"de"}
COMPOUND_MIN_STEM = 5
STAMP_KEY = "reviews:themes:stamp"

# Words: letters and digits, with inner apostrophes and hyphens split off.
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def language_of(code: str | None) -> str:
    """The taxonomy and stemmer used for a text in this language."""
    short = (code or "").split("-")[0].lower()
    return short if short in STEMMERS else FALLBACK


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(STEMMERS[language])


_stem_lock = threading.Lock()


def tokens(text: str) -> list[str]:
    """The words of a text, lower-cased (`casefold`, so "Straße" and "strasse" meet)."""
    return [word.casefold() for word in WORD.findall(text or "")]


def stems(words: Sequence[str], language: str) -> list[str]:
    """Snowball stems of the words (the stemmer objects are not thread-safe: one at a time)."""
    with _stem_lock:
        return list(_stemmer(language_of(language)).stemWords(list(words)))


@dataclass(frozen=True)
class Keyword:
    stems: tuple[str, ...]
    inside_words: bool  # a German single keyword also matches inside a compound


@dataclass(frozen=True)
class Taxonomy:
    """One language's themes: code → name, and code → its stemmed keywords."""

    names: dict[str, str]
    keywords: dict[str, tuple[Keyword, ...]]


def keyword_lines(text: str) -> list[str]:
    """The keywords of a theme: one per line, blank lines and surrounding spaces ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def compile_keywords(lines: Iterable[str], language: str) -> tuple[Keyword, ...]:
    language = language_of(language)
    compiled = []
    for line in lines:
        stemmed = tuple(stems(tokens(line), language))
        if not stemmed:
            continue
        inside = (
            language in COMPOUND_LANGUAGES
            and len(stemmed) == 1
            and len(stemmed[0]) >= COMPOUND_MIN_STEM
        )
        compiled.append(Keyword(stems=stemmed, inside_words=inside))
    return tuple(dict.fromkeys(compiled))


_taxonomies: dict[str, tuple[str, Taxonomy]] = {}
_taxonomy_lock = threading.Lock()


def _stamp() -> str:
    stamp = shared_cache.get(STAMP_KEY)
    if stamp is None:
        stamp = uuid.uuid4().hex
        shared_cache.add(STAMP_KEY, stamp, timeout=None)
        stamp = shared_cache.get(STAMP_KEY) or stamp
    return stamp


def taxonomy(language: str) -> Taxonomy:
    """The stemmed themes of a language: one query when first needed or after an edit."""
    language = language_of(language)
    stamp = _stamp()
    held = _taxonomies.get(language)
    if held is not None and held[0] == stamp:
        return held[1]
    rows = list(Theme.objects.filter(language=language).order_by("code"))
    loaded = Taxonomy(
        names={row.code: row.name for row in rows},
        keywords={
            row.code: compile_keywords(keyword_lines(row.keywords), language) for row in rows
        },
    )
    with _taxonomy_lock:
        _taxonomies[language] = (stamp, loaded)
    return loaded


def forget() -> None:
    """Drop the stemmed taxonomy here and tell every other process to reload it."""
    with _taxonomy_lock:
        _taxonomies.clear()
    shared_cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


@receiver([post_save, post_delete], sender=Theme, dispatch_uid="reviews_themes_changed")
def _theme_changed(**_kwargs: Any) -> None:
    forget()
    transaction.on_commit(forget)  # other processes read the committed rows


def _contains(sequence: Sequence[str], words: Sequence[str]) -> bool:
    size = len(sequence)
    return any(tuple(words[i : i + size]) == sequence for i in range(len(words) - size + 1))


def _matches(keyword: Keyword, words: Sequence[str], word_set: set[str]) -> bool:
    if len(keyword.stems) == 1:
        stem = keyword.stems[0]
        if stem in word_set:
            return True
        return keyword.inside_words and any(stem in word for word in word_set)
    return _contains(keyword.stems, words)


def themes_in(text: str, language: str) -> list[str]:
    """The codes of the themes a text mentions, in the taxonomy's order."""
    words = stems(tokens(text), language)
    if not words:
        return []
    word_set = set(words)
    found = taxonomy(language)
    return [
        code
        for code, keywords in found.keywords.items()
        if any(_matches(keyword, words, word_set) for keyword in keywords)
    ]


def review_text(review: Review) -> str:
    """What the public reads of a review: its title and its (possibly redacted) text."""
    return f"{review.title}\n{review.shown_comment}".strip()


def tag(review: Review) -> list[str]:
    """Set `review.themes` from its text; the caller saves (call it before the publishing save)."""
    review.themes = themes_in(review_text(review), review.language)
    return review.themes


def names(language: str) -> dict[str, str]:
    """Theme code → name in this language (English names fill codes the language lacks)."""
    shown = dict(taxonomy(FALLBACK).names)
    shown.update(taxonomy(language).names)
    return shown


def retag(reviews: Iterable[Review], *, batch_size: int = 500) -> int:
    """Match reviews again after the taxonomy changed; the number whose themes changed."""
    changed = []
    for review in reviews:
        before = list(review.themes)
        if tag(review) != before:
            changed.append(review)
    Review.objects.bulk_update(changed, ["themes"], batch_size=batch_size)
    return len(changed)

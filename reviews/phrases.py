"""The phrases that keep coming back in a shop's reviews, and stand out against all shops.

Phrases are runs of two or three words inside one sentence, neither starting nor
ending with a stop word, counted once per review and compared by their stems
(so "fast deliveries" and "fast delivery" are one phrase). A phrase is
distinctive when the share of this shop's reviews using it is well above the
share among every shop's reviews of the same period (a smoothed ratio, weighed
by how many reviews use it). It is shown in the words buyers used most often.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reviews.themes import language_of, stems, tokens

SENTENCE = re.compile(r"[.,!?;:\n\r()\[\]\"«»„“”]+")
SIZES = (2, 3)

_EN = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    even ever every few for from further get got had has have having he her here hers
    him his how i if in into is it its itself just me more most my no nor not now of off
    on once only or other our ours out over own really same she should so some such than
    that the their theirs them then there these they this those through to too under
    until up us very was we were what when where which while who whom why will with
    would you your yours s t don didn doesn isn wasn won ve ll re m d one much many
    still already
"""
_FR = """
    a à ai aie ainsi alors au aucun aussi autre aux avait avec avoir bien c ça car ce
    cela celle celui ces cet cette chez ci comme d dans de des du elle elles en encore
    est et été être eu fait faire il ils j je l la le les leur leurs lui m ma mais me
    même mes moi mon n ne ni nos notre nous on ont ou où par pas peu plus pour qu que
    qui s sa sans se ses si son sont sur t ta te tes toi ton tous tout toute toutes très
    tu un une vos votre vous y était étaient suis sommes êtes avons avez
"""
_DE = """
    aber alle allem allen aller alles als also am an ander andere auch auf aus bei bin
    bis bist da damit dann das dass dem den der des dich die dir doch dort du durch ein
    eine einem einen einer eines er es etwas euch euer für gegen gewesen hab habe haben
    hat hatte hier hin ich ihm ihn ihr ihre im in ist ja jede jedem jeden jeder jetzt
    kann kein keine man mich mir mit muss nach nicht nichts noch nun nur ob oder ohne
    schon sehr sein seine sich sie sind so sondern über um und uns unser unter viel vom
    von vor war waren was weil wenn wer wie wieder wir wird wo wurde wurden zu zum zur
    zwar ganz immer mal
"""
# Words that may join the two others of a three-word phrase ("value for money").
LINKERS = {
    "en": {"of", "for", "to", "the", "a", "on", "in", "with"},
    "fr": {"de", "du", "des", "d", "à", "la", "le", "les", "en", "au", "aux"},
    "de": {"von", "der", "die", "das", "den", "dem", "zu", "zum", "zur", "mit", "im", "am"},
}
STOP_WORDS = {"en": set(_EN.split()), "fr": set(_FR.split()), "de": set(_DE.split())}


@dataclass(frozen=True)
class Phrase:
    text: str  # the form buyers wrote most often
    key: str  # the stems, space-separated
    reviews: int  # reviews of the shop(s) using it
    share: float  # of the shop's reviews
    elsewhere: float  # share among every shop's reviews


def phrase_keys(text: str, language: str) -> dict[str, str]:
    """Stemmed phrase → the words as written, for each phrase of one text (once each)."""
    language = language_of(language)
    stop = STOP_WORDS[language]
    found: dict[str, str] = {}
    for sentence in SENTENCE.split(text or ""):
        words = tokens(sentence)
        if len(words) < 2:
            continue
        stemmed = stems(words, language)
        for size in SIZES:
            for i in range(len(words) - size + 1):
                run = words[i : i + size]
                if run[0] in stop or run[-1] in stop or any(len(w) < 2 for w in run):
                    continue
                if size == 3 and run[1] in stop and run[1] not in LINKERS[language]:
                    continue  # "delivery and lovely" joins two thoughts
                if any(w.isdigit() for w in run):
                    continue
                key = f"{language}:" + " ".join(stemmed[i : i + size])
                found.setdefault(key, " ".join(run))
    return found


def key_of(phrase: str, language: str) -> str:
    """The key a phrase as shown is counted under (its stems, in this language)."""
    language = language_of(language)
    return f"{language}:" + " ".join(stems(tokens(phrase), language))


@dataclass
class Counts:
    reviews: int
    phrases: Counter[str]
    forms: dict[str, Counter[str]]


def count(texts: Iterable[tuple[str, str]]) -> Counts:
    """How many of the (text, language) pairs use each phrase, and the forms written."""
    phrases: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    total = 0
    for text, language in texts:
        total += 1
        for key, form in phrase_keys(text, language).items():
            phrases[key] += 1
            forms[key][form] += 1
    return Counts(reviews=total, phrases=phrases, forms=forms)


def distinctive(
    shop: Counts, everyone: Counts | None, *, limit: int = 15, min_reviews: int = 2
) -> list[Phrase]:
    """The shop's phrases ranked by how much more often it uses them than every shop.

    Without a comparison (everyone None: the figures already cover all shops) the
    most frequent phrases come first.
    """
    if not shop.reviews:
        return []
    ranked = []
    for key, used in shop.phrases.items():
        if used < min_reviews:
            continue
        share = used / shop.reviews
        if everyone is None or not everyone.reviews:
            elsewhere, score = share, float(used)
        else:
            elsewhere = everyone.phrases.get(key, 0) / everyone.reviews
            smoothed = (everyone.phrases.get(key, 0) + 1) / (everyone.reviews + 1)
            lift = share / smoothed
            if lift <= 1.0:
                continue
            score = used * math.log(lift)
        form = shop.forms[key].most_common(1)[0][0]
        ranked.append((score, used, form, Phrase(form, key, used, share, elsewhere)))
    # The longer phrase first when they tie: "took three weeks" before "three weeks".
    ranked.sort(key=lambda row: (-row[0], -row[1], -len(row[2].split()), row[2]))
    kept: list[Phrase] = []
    for *_rank, phrase in ranked:
        if not any(_overlap(phrase, other) for other in kept):
            kept.append(phrase)
        if len(kept) == limit:
            break
    return kept


def _pairs(phrase: Phrase) -> set[tuple[str, ...]]:
    words = phrase.key.split(":", 1)[1].split()
    return {tuple(words[i : i + 2]) for i in range(len(words) - 1)}


def _overlap(one: Phrase, other: Phrase) -> bool:
    """Phrases used by the same reviews that share two words in a row ("delivery took three",
    "took three weeks", "three weeks") are one thing said: show it once."""
    return one.reviews == other.reviews and bool(_pairs(one) & _pairs(other))

"""Text normalisation shared by the index and the query: the same words must reduce to the same terms.

Lower-case alphanumeric tokens, number words as digits ("two" -> "2"), a light suffix stemmer
(plurals, -ed, -ing, a final e) and a short stopword list. Deliberately simple and fast: it runs over
every catalog description at build time and over every query.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")

NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100",
    # Roman numerals as diabetes and staging titles use them ("type II" = "type 2"); not "iv" (intravenous).
    "ii": "2", "iii": "3",
}

# Words that carry no meaning for matching; "without" is kept: it separates E11.9 from E11.8.
STOPWORDS = frozenset({
    "a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "as", "is", "are", "be",
    "with", "from", "into", "per", "than", "that", "this", "its", "it", "which", "any", "has", "have",
    "patient", "pt", "pts", "dx", "code", "codes", "icd", "cpt", "hcpcs", "what", "whats", "how", "do",
    "i", "my", "me", "we", "you", "search", "find", "please", "s",
    # Chat around a question, so "hi, can you help me find the code for ..." searches only the rest.
    "hello", "hi", "hey", "thanks", "thank", "there", "can", "could", "would", "should", "help", "need",
    "looking", "look", "want", "who", "when", "why", "where", "about", "tell", "give", "show", "get",
    "know", "anyone", "someone", "ok", "okay", "yes", "codedesk", "bill", "billing", "use", "correct",
})


def fold(text: str) -> str:
    """Lower-case ASCII: accents dropped, everything else that is not a letter or digit becomes space."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def words(text: str) -> list[str]:
    """The lower-case words of `text`, number words as digits; stopwords kept (phrases need them)."""
    return [NUMBER_WORDS.get(w, w) for w in _TOKEN.findall(fold(text))]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light, consistent suffix stemmer: fractures/fractured/fracturing -> fractur, injuries -> injury."""
    if len(word) <= 3 or word.isdigit() or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5 and _has_vowel(w[:-3]):
        w = w[:-3]
    elif w.endswith("ed") and not w.endswith("eed") and len(w) > 4 and _has_vowel(w[:-2]):
        w = w[:-2]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def _has_vowel(text: str) -> bool:
    return any(ch in "aeiouy" for ch in text)


def terms(text: str) -> list[str]:
    """Index terms of `text`: stemmed words without stopwords, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]

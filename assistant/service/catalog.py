"""What the knowledge base covers: product names (with short aliases) and how common each token is.

Built from the chunk store's metadata and tokens, and rebuilt only when the index generation changes
(an ingest in another process is picked up on the next turn).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from knowledge.index import KnowledgeIndex
from knowledge.screening import is_member, quarantined
from knowledge.text import generic_brands, product_heads, query_stopwords, question_words, tokenize
from knowledge.text.homophones import HomophoneIndex

COMMON_SHARE = 0.3  # a token in at least this share of documents says nothing about the topic
_TITLE_SUFFIX_RE = re.compile(r"(?:产品说明|业务说明|说明书|简介|介绍)$")
_KEY_TOKEN_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{2,}$")
_LATIN_RE = re.compile(r"^[A-Za-z]+$")
# Parts of speech that never name what a question is about: verbs (not verbal nouns such as 按揭, 分期),
# adverbs, pronouns, conjunctions, particles, adjectives, numerals, prepositions, interjections.
_FRAMING_TEXT = "v vd vi vg d r rr rz c u uj ul uv uz ud ug a ad ag m mq p y e o f"
_FRAMING_FLAGS = frozenset(_FRAMING_TEXT.split())
# Parts of speech of the words that name what a part of a question asks about (利率, 担保费, 还款).
_NAMING_FLAGS = frozenset({"n", "nz", "nt", "nl", "ng", "vn"})
# Parts of speech a brand is never made of: verbs, aspect and structural particles, adverbs, prepositions,
# conjunctions, pronouns (办过 in 办过票据贴现, 还算首 in 还算首贷户 stand before a head word but name nothing).
_NOT_BRAND_TEXT = "v vd vi vg ug ul uj uz uv ud d p c r rr rz m y"
_NOT_BRAND_FLAGS = frozenset(_NOT_BRAND_TEXT.split())
# A number with its magnitude and currency (200万, 2.5亿元): never a key term, and cut out before jieba reads the
# rest, or 200万能批吗 gives 万能 ("almighty").
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?\s?(?:万亿|亿|万|千)?(?:元|块)?")
# Interrogative words jieba keeps whole (几次, 多长时间, 最多补): they ask, they name no subject.
_ASKING_RE = re.compile(r"^(?:几|多(?:少|久|长|大|高|快)|最(?:多|高|低|长|短|少)|怎么|怎样|如何|什么|哪|为何)")


@dataclass
class Catalog:
    """Product aliases and document frequencies of one index generation."""

    generation: int = -1
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> product name
    doc_freq: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    product_tokens: dict[str, frozenset[str]] = field(default_factory=dict)  # product -> tokens of its documents
    title_tokens: frozenset[str] = frozenset()  # words of document titles: the corpus's subjects
    _homophones: HomophoneIndex | None = field(default=None, init=False, repr=False, compare=False)

    def correct_slips(self, text: str) -> str:
        """The text with homophone slips (被骗 typed 被片) put right against the corpus's words."""
        return self.homophones().correct(text)

    def homophones(self) -> HomophoneIndex:
        if self._homophones is None:  # one per index generation, built on first use
            self._homophones = HomophoneIndex(self.doc_freq)
        return self._homophones

    def find_products(self, text: str) -> list[str]:
        """Products named in the text (longest alias first, each product once, in text order)."""
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        for alias in sorted(self.aliases, key=len, reverse=True):
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.append((start, self.aliases[alias]))
                start = text.find(alias, end)
        return list(dict.fromkeys(name for _, name in sorted(found)))

    def strip_products(self, text: str, products: tuple[str, ...] | None = None) -> str:
        """The text without the names (and aliases) of the given products, or of every product."""
        names = [alias for alias, name in self.aliases.items() if products is None or name in products]
        for alias in sorted([*names, *(products or ())], key=len, reverse=True):
            text = text.replace(alias, " ")
        return text.strip()

    def about_products(self, terms: list[str], products: tuple[str, ...]) -> bool:
        """Every term occurs in the documents of these products."""
        vocabulary = frozenset().union(*(self.product_tokens.get(p, frozenset()) for p in products))
        return bool(terms) and all(t in vocabulary for t in terms)

    def share(self, token: str) -> float:
        """Share of documents containing the token (0 when unknown)."""
        return self.doc_freq.get(token, 0) / self.documents if self.documents else 0.0

    def known(self, token: str) -> bool:
        return token in self.doc_freq

    def common(self, token: str) -> bool:
        return self.share(token) >= COMMON_SHARE

    def key_terms(self, text: str) -> list[str]:
        """Distinctive terms of a question: words naming its subject (not stopwords, question words, verbs
        and other framing words unless a document title uses them, as 贴息), not common in the corpus; a
        Latin word only when the corpus uses it."""
        text = _NUMBER_RE.sub("，", text)
        framing = _framing_words(text) - self.title_tokens
        stopped, asking = query_stopwords(), question_words()
        terms = [
            t
            for t in tokenize(text)
            if _KEY_TOKEN_RE.match(t)
            and not t.isdigit()
            and t not in stopped
            and t not in asking
            and t not in framing
            and not _ASKING_RE.match(t)
            and (self.known(t) or not _LATIN_RE.match(t))
        ]
        return [t for t in dict.fromkeys(terms) if not self.common(t)]

    def subject_terms(self, text: str) -> list[str]:
        """Key terms of a topic (a noun phrase, not a question): the key terms plus the word right before a
        product head word, whatever its part of speech (留学 in 留学贷款, 装修 in 装修贷款)."""
        words = [w for w, _ in _tagged(text)]
        heads = product_heads()
        before = [words[i - 1] for i in range(1, len(words)) if words[i] in heads]
        extra = [w for w in before if _KEY_TOKEN_RE.match(w) and w not in query_stopwords() and not self.common(w)]
        return list(dict.fromkeys([*self.key_terms(text), *extra]))

    def own_words(self, text: str) -> str:
        """What a part of a question asks about, in the member's words, only when each of those words is one
        the knowledge base's documents use (nouns, product names left out: the answer names its subject);
        '' otherwise, so nothing else a member typed is said back in the assistant's voice."""
        stripped = self.strip_products(text)
        nouns = [
            word
            for word, flag in _tagged(stripped)
            if flag in _NAMING_FLAGS and word not in query_stopwords() and not _ASKING_RE.match(word)
        ]
        if not nouns or len(nouns) > 3 or not all(self.known(w) and _KEY_TOKEN_RE.match(w) for w in nouns):
            return ""
        if any(ch.isdigit() for w in nouns for ch in w):
            return ""
        joined = "".join(nouns)
        return joined if joined in stripped else "、".join(nouns)

    def unfamiliar(self, terms: list[str], text: str, haystack: str) -> list[str]:
        """Of the text's key terms, those that neither the corpus nor the haystack uses, not even as a longer
        form (个体户 of 个体工商户) or in pieces (贴息贷款): what the question names that the knowledge base never
        mentions. Time words and places are left out (places are the region check's: knowledge.text.regions)."""
        found = []
        framing = _time_and_place_words(text)
        for term in terms:
            if self.known(term) or term in haystack or term in framing or _longer_form_in(term, haystack):
                continue
            if not jieba.dt.FREQ.get(term) and not names_product(term, text):
                continue  # a word jieba pieced together (想纯, 借点) unless it is a brand (金穗农业贷)
            pieces = [p for p in jieba.lcut_for_search(term) if len(p) >= 2 and p != term]
            if pieces and all(self.known(p) for p in pieces):
                continue
            found.append(term)
        return found

    def absent_rare(self, terms: list[str], passage: str, rare_share: float) -> list[str]:
        """Of the text's key terms, those at most `rare_share` of the documents use and the passage does not
        (信用卡 asked, a loan product's fee answered): the passage is about something else."""
        return [
            t
            for t in terms
            if self.known(t) and self.share(t) <= rare_share and t not in passage and not _longer_form_in(t, passage)
        ]


def names_product(term: str, text: str) -> bool:
    """The term stands right before a product head word (a brand: 金穗 in 金穗农业贷, 鑫诚 in 鑫诚供应链保理)."""
    start = text.find(term)
    after = text[start + len(term) : start + len(term) + 5] if start >= 0 else ""
    return any(head in after for head in product_heads()) and _brand_shaped(term, start, text)


def _brand_shaped(term: str, start: int, text: str) -> bool:
    """The term is made of whole words of the tagged text, none of them a verb, particle or adverb."""
    position, inside = 0, []
    for word, flag in _tagged(text):
        end = position + len(word)
        if position < start + len(term) and end > start:
            if position < start or end > start + len(term):
                return False  # the term cuts a word in two (还算首 of 还算 | 首贷)
            inside.append(flag)
        position = end
    return bool(inside) and not any(flag in _NOT_BRAND_FLAGS for flag in inside)


def names_kind(term: str) -> bool:
    """The term names a kind of product: it ends with a product head word (车贷, 经营贷)."""
    return any(term.endswith(head) and len(term) > len(head) for head in product_heads())


def in_text(term: str, text: str) -> bool:
    """The term, or a longer form of it keeping its characters in order, occurs in the text."""
    return term in text or _longer_form_in(term, text)


def _longer_form_in(term: str, haystack: str) -> bool:
    """The haystack holds a longer form keeping the term's characters in order (个体户 → 个体工商户)."""
    return len(term) >= 2 and re.search(".{0,3}".join(map(re.escape, term)), haystack) is not None


@lru_cache(maxsize=512)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    """The text's words with their parts of speech (jieba.posseg, run once per text; imported on first use, as
    importing it loads its tagging model: ~0.5 s of CPU here)."""
    import jieba.posseg

    return tuple((p.word, p.flag) for p in jieba.posseg.lcut(text))


def _time_and_place_words(text: str) -> frozenset[str]:
    return frozenset(word for word, flag in _tagged(text) if flag in ("t", "tg", "ns"))


def _framing_words(text: str) -> frozenset[str]:
    """Words of the text whose part of speech frames a question rather than naming its subject."""
    return frozenset(word for word, flag in _tagged(text) if flag in _FRAMING_FLAGS)


def _aliases(products: dict[str, str]) -> dict[str, str]:
    """product -> title given; returns alias -> product (ambiguous short aliases dropped)."""
    aliases: dict[str, str] = {}
    short: Counter[str] = Counter(name[:2] for name in products)
    prefix3: Counter[str] = Counter(name[:3] for name in products)
    for name, title in products.items():
        aliases[name] = name
        stripped = _TITLE_SUFFIX_RE.sub("", title).strip()
        if len(stripped) >= 4:
            aliases.setdefault(stripped, name)
        if prefix3[name[:3]] == 1 and len(name) > 4:
            aliases.setdefault(name[:3], name)  # 票融通…: the brand may be three characters long
        brand = name[:2]
        if short[brand] == 1 and len(name) > 3:
            aliases.setdefault(brand + "贷", name)
            if brand not in generic_brands():
                aliases.setdefault(brand, name)
    return aliases


def build_catalog(index: KnowledgeIndex) -> Catalog:
    """Scan the chunk store once: product metadata and per-document token sets."""
    generation = index.chunks.generation()
    products: dict[str, str] = {}
    tokens_by_source: dict[str, set[str]] = {}
    product_tokens: dict[str, set[str]] = {}
    title_tokens: set[str] = set()
    for _chunk_id, tokens, meta in index.chunks.iter_tokens():
        source = str(meta.get("source", ""))
        title = str(meta.get("title", ""))
        if source not in tokens_by_source:
            tokens_by_source[source] = set(tokenize(title))
            title_tokens.update(tokens_by_source[source])
        tokens_by_source[source].update(tokens)
        product = meta.get("product")
        if product and not (quarantined(meta) or is_member(meta)):  # names a member may hear: trusted ones
            products.setdefault(str(product), title)
            product_tokens.setdefault(str(product), set()).update(tokens)
    doc_freq: Counter[str] = Counter()
    for bag in tokens_by_source.values():
        doc_freq.update(bag)
    vocabulary = {name: frozenset(bag) for name, bag in product_tokens.items()}
    return Catalog(generation, _aliases(products), doc_freq, len(tokens_by_source), vocabulary, frozenset(title_tokens))


class CatalogCache:
    """The catalog of an index, rebuilt when the index's generation moves on."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._catalog = Catalog()
        self._lock = threading.Lock()

    def get(self) -> Catalog:
        generation = self.index.chunks.generation()
        if generation != self._catalog.generation:
            with self._lock:
                if generation != self._catalog.generation:
                    self._catalog = build_catalog(self.index)
        return self._catalog

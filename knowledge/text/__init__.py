"""The one Chinese text layer: normalisation, sentences, BM25 tokens, numerals, figures, lexicons.

Every part of the pipeline that reads Chinese text (chunking, retrieval, the agent, compliance, drafting)
uses these functions rather than its own copy; word lists are data files in ``lexicons/``.
"""

from knowledge.text.figures import Figure, FigureKind, find_figures
from knowledge.text.lexicons import (
    asked_kind_names,
    business_suffixes,
    generic_brands,
    lexicon,
    product_heads,
    query_stopwords,
    question_filler,
    question_words,
    shared_finance_words,
    stopwords,
    surname_pattern,
    surnames,
)
from knowledge.text.markup import plain_text
from knowledge.text.normalise import (
    fold_script_and_digits,
    normalise,
    normalise_with_offsets,
    span_in_original,
    to_simplified,
)
from knowledge.text.numerals import (
    CN_DIGITS,
    DECIMAL,
    GROUPED_DECIMAL,
    cn_numeral,
    heading_number,
    parse_amount,
    parse_int,
    parse_number,
    written_numbers,
)
from knowledge.text.sentences import (
    CLAUSE_BREAKS,
    CLOSERS,
    SENTENCE_BREAK_RE,
    SENTENCE_BREAKS,
    SENTENCE_ENDS,
    Sentence,
    asked_clauses,
    question_parts,
    sentence_spans,
    split_sentences,
)
from knowledge.text.tokens import configure_jieba, dictionary_word, specificity, tokenize

__all__ = [
    "CLAUSE_BREAKS",
    "CLOSERS",
    "CN_DIGITS",
    "DECIMAL",
    "GROUPED_DECIMAL",
    "SENTENCE_BREAKS",
    "SENTENCE_BREAK_RE",
    "SENTENCE_ENDS",
    "Figure",
    "FigureKind",
    "Sentence",
    "asked_clauses",
    "asked_kind_names",
    "business_suffixes",
    "cn_numeral",
    "configure_jieba",
    "dictionary_word",
    "find_figures",
    "fold_script_and_digits",
    "generic_brands",
    "heading_number",
    "lexicon",
    "normalise",
    "normalise_with_offsets",
    "parse_amount",
    "parse_int",
    "parse_number",
    "plain_text",
    "product_heads",
    "query_stopwords",
    "question_filler",
    "question_parts",
    "question_words",
    "sentence_spans",
    "shared_finance_words",
    "span_in_original",
    "specificity",
    "split_sentences",
    "stopwords",
    "surname_pattern",
    "surnames",
    "to_simplified",
    "tokenize",
    "written_numbers",
]

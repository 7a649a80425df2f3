"""govtopics: topic modelling of Chinese government reports.

>>> from govtopics import load_corpus
>>> corpus = load_corpus("seeds/")
>>> [doc.year for doc in corpus]
[2025, 2022, 2025, 2023, 2024]

One analysis, as the build, the CLI and the notebooks make it: ``Analysis.from_toml("govtopics.toml")``.
"""

from .analysis import Analysis, AnalysisError
from .cleaning import clean_text, normalize_text
from .config import Config, ConfigError
from .explorer import Explorer, explore
from .metadata import Metadata, extract_metadata
from .passages import kwic, representative_passages
from .reading import Corpus, Document, Skipped, decode_bytes, load_corpus
from .stopwords import LAYERS, Stopwords
from .structure import PARTS, parse_structure, split_units
from .tokenizing import Tokenizer, segment, tokenize
from .validation import intrusion_test, krippendorff_alpha, score_intrusion

__all__ = [
    "Analysis",
    "AnalysisError",
    "Config",
    "ConfigError",
    "LAYERS",
    "PARTS",
    "Stopwords",
    "Tokenizer",
    "segment",
    "tokenize",
    "Corpus",
    "Document",
    "Metadata",
    "Skipped",
    "clean_text",
    "decode_bytes",
    "extract_metadata",
    "load_corpus",
    "normalize_text",
    "parse_structure",
    "split_units",
    # reading and validating topics
    "Explorer",
    "explore",
    "intrusion_test",
    "krippendorff_alpha",
    "kwic",
    "representative_passages",
    "score_intrusion",
]
__version__ = "0.1.0"

#!/usr/bin/env python3
"""Build the project's `clip-bpe` tokenizer file (docs/model-contracts.md, "Tokenizer files")
from CLIP's merges file, bpe_simple_vocab_16e6.txt.gz.

The vocabulary is built the way CLIP's SimpleTokenizer (openai/CLIP clip/simple_tokenizer.py)
builds it, in this order, ids counting from 0:
  1. the 256 byte symbols of bytes_to_unicode(), in its order;
  2. the same 256 symbols each followed by "</w>";
  3. one token per merge, the merge's two parts concatenated, for merge lines 1 .. N of the
     file (line 0 is the "#version" header; N = 49152 - 256 - 2 = 48894);
  4. "<|startoftext|>", "<|endoftext|>".
With the stock file that is 49408 tokens: start 49406, end 49407. The merge ranks are the
order of the merges in the file. Only the Python standard library is needed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from typing import Dict, List, Tuple

START_TOKEN = "<|startoftext|>"
END_TOKEN = "<|endoftext|>"
CLIP_MERGES = 49152 - 256 - 2  # the slice SimpleTokenizer takes: merges[1:49152-256-2+1]
# CLIP's own ids for "a photo of a cat" with the stock vocabulary.
SELFTEST_TEXT = "a photo of a cat"
SELFTEST_IDS = [49406, 320, 1125, 539, 320, 2368, 49407]


def bytes_to_unicode() -> Dict[int, str]:
    """CLIP's (and GPT-2's) reversible map from the 256 byte values to printable characters:
    printable Latin-1 bytes map to themselves, the others to chr(256 + n) in byte order."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    byte_values = printable[:]
    code_points = printable[:]
    extra = 0
    for b in range(256):
        if b not in byte_values:
            byte_values.append(b)
            code_points.append(256 + extra)
            extra += 1
    return dict(zip(byte_values, (chr(c) for c in code_points)))


def read_merges(bpe_path: str, count: int) -> List[Tuple[str, str]]:
    """Merge lines 1..count of the gzipped file, each split on whitespace into two symbols."""
    with gzip.open(bpe_path, "rb") as handle:
        lines = handle.read().decode("utf-8").split("\n")
    selected = lines[1 : count + 1]
    if len(selected) != count:
        raise SystemExit(f"{bpe_path}: expected at least {count + 1} lines, found {len(lines)}")
    merges: List[Tuple[str, str]] = []
    for number, line in enumerate(selected, start=2):
        parts = line.split()
        if len(parts) != 2:
            raise SystemExit(f"{bpe_path}: line {number} is not a merge of two symbols: {line!r}")
        merges.append((parts[0], parts[1]))
    return merges


def build_tokenizer(bpe_path: str, merge_count: int) -> Dict[str, object]:
    """The clip-bpe JSON object (type, vocab, merges, start_token, end_token, pad_id, lowercase)."""
    merges = read_merges(bpe_path, merge_count)
    symbols = list(bytes_to_unicode().values())
    tokens = symbols + [s + "</w>" for s in symbols]
    tokens += ["".join(pair) for pair in merges]
    tokens += [START_TOKEN, END_TOKEN]
    vocab = dict(zip(tokens, range(len(tokens))))  # as SimpleTokenizer: a later duplicate wins
    if len(vocab) != len(tokens):
        print(f"warning: {len(tokens) - len(vocab)} duplicate tokens; kept the last id of each",
              file=sys.stderr)
    return {
        "type": "clip-bpe",
        "vocab": vocab,
        "merges": [f"{a} {b}" for a, b in merges],
        "start_token": START_TOKEN,
        "end_token": END_TOKEN,
        "pad_id": 0,
        "lowercase": True,
    }


def bpe_word(word: str, ranks: Dict[Tuple[str, str], int]) -> List[str]:
    """SimpleTokenizer.bpe on one pre-split, byte-encoded word: repeatedly merge the pair of
    lowest rank; the last symbol carries "</w>"."""
    symbols = list(word[:-1]) + [word[-1] + "</w>"]
    while len(symbols) > 1:
        pairs = {(symbols[i], symbols[i + 1]) for i in range(len(symbols) - 1)}
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        merged: List[str] = []
        i = 0
        while i < len(symbols):
            if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == best:
                merged.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                merged.append(symbols[i])
                i += 1
        symbols = merged
    return symbols


def encode_ascii_words(tokenizer: Dict[str, object], text: str) -> List[int]:
    """Enough of CLIP's encoder for lower-case ASCII words separated by spaces (the self-test);
    not a general tokenizer: no CLIP regex split, no ftfy/html cleaning."""
    vocab = tokenizer["vocab"]
    assert isinstance(vocab, dict)
    merges = tokenizer["merges"]
    assert isinstance(merges, list)
    ranks = {tuple(m.split(" ")): r for r, m in enumerate(merges)}
    ids = [vocab[START_TOKEN]]
    for word in text.lower().split():
        ids += [vocab[s] for s in bpe_word(word, ranks)]  # type: ignore[arg-type]
    return ids + [vocab[END_TOKEN]]


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Build the clip-bpe tokenizer JSON from CLIP's bpe_simple_vocab_16e6.txt.gz.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--bpe", required=True,
                        help="path to bpe_simple_vocab_16e6.txt.gz (shipped inside the `clip` "
                             "package: clip/bpe_simple_vocab_16e6.txt.gz; open_clip has the same file)")
    parser.add_argument("--out", required=True, help="output JSON, e.g. out/clip-text.tokenizer.json")
    parser.add_argument("--merges", type=int, default=CLIP_MERGES,
                        help="number of merge lines to use (CLIP: 49152 - 256 - 2)")
    parser.add_argument("--selftest", choices=["on", "off"], default="on",
                        help=f"check that {SELFTEST_TEXT!r} encodes to CLIP's ids {SELFTEST_IDS} "
                             "(only meaningful for the stock file and --merges)")
    args = parser.parse_args(argv)

    tokenizer = build_tokenizer(args.bpe, args.merges)
    vocab = tokenizer["vocab"]
    assert isinstance(vocab, dict)
    if args.selftest == "on":
        ids = encode_ascii_words(tokenizer, SELFTEST_TEXT)
        if ids != SELFTEST_IDS:
            raise SystemExit(f"self-test failed: {SELFTEST_TEXT!r} -> {ids}, CLIP gives {SELFTEST_IDS}")
        print(f"self-test: {SELFTEST_TEXT!r} -> {ids} (matches CLIP)")
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(tokenizer, handle, ensure_ascii=False)
    print(f"wrote {args.out}: {len(vocab)} tokens, {len(tokenizer['merges'])} merges, "  # type: ignore[arg-type]
          f"start {vocab[START_TOKEN]}, end {vocab[END_TOKEN]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Check ONNX files against the project's model contracts (docs/model-contracts.md):
`clip-image/1`, `clip-text/1`, `vit-attention/1`.

For each file given: the fmwiss.* properties (contract name, required keys, well-formed
values), the named inputs and outputs (dtype, rank, fixed dimensions consistent with the
properties; batch dynamic or 1), the tokenizer file of a text model; then one run with
onnxruntime on a random input, checking the output shapes, that the outputs are finite, and
for the attention model that each row sums to 1 and patch_grid is [h, w]. Every failure is
printed; the exit status is 1 if there was any.

This mirrors the services' start-up check; the services' own check is the authority.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

# ONNX TensorProto element types used by the contracts.
DTYPES = {1: "float32", 6: "int32", 7: "int64"}
NUMPY_DTYPES = {"float32": "float32", "int32": "int32", "int64": "int64"}
Dim = Union[int, str, None]  # fixed size, symbolic name, or unknown
Signature = Tuple[str, List[Dim]]


class Checker:
    def __init__(self, path: str, contract: str) -> None:
        import onnx

        self.path = path
        self.contract = contract
        self.errors: List[str] = []
        model = onnx.load(path, load_external_data=False)
        self.props: Dict[str, str] = {p.key: p.value for p in model.metadata_props}
        initializers = {i.name for i in model.graph.initializer}
        self.inputs = {v.name: self._signature(v) for v in model.graph.input if v.name not in initializers}
        self.outputs = {v.name: self._signature(v) for v in model.graph.output}

    @staticmethod
    def _signature(value: Any) -> Signature:
        tensor = value.type.tensor_type
        dtype = DTYPES.get(tensor.elem_type, f"elem_type {tensor.elem_type}")
        dims: List[Dim] = []
        for d in tensor.shape.dim:
            if d.HasField("dim_value"):
                dims.append(int(d.dim_value))
            else:
                dims.append(d.dim_param or None)
        return dtype, dims

    def fail(self, message: str) -> None:
        self.errors.append(message)

    # properties

    def check_contract_name(self) -> None:
        found = self.props.get("fmwiss.contract")
        if found != self.contract:
            self.fail(f"property fmwiss.contract is {found!r}, expected {self.contract!r}")

    def int_prop(self, key: str, default: Optional[int] = None) -> Optional[int]:
        text = self.props.get(key)
        if text is None:
            if default is None:
                self.fail(f"property {key} is missing")
            return default
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value <= 0:
            self.fail(f"property {key} is {text!r}, expected a positive integer")
            return None
        return value

    def floats_prop(self, key: str, count: int, positive: bool) -> None:
        text = self.props.get(key)
        if text is None:
            self.fail(f"property {key} is missing")
            return
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            values = []
        if len(values) != count or (positive and min(values) <= 0):
            self.fail(f"property {key} is {text!r}, expected {count} comma-separated "
                      f"{'positive ' if positive else ''}numbers")

    # tensors

    def tensor(self, kind: str, name: str, dtypes: Sequence[str], expected: Sequence[Dim]) -> Optional[str]:
        """Check one input or output. `expected`: "B" for the batch axis (dynamic or 1), an int
        for a dimension that must equal it when fixed, None for any. Returns the dtype found."""
        table = self.inputs if kind == "input" else self.outputs
        if name not in table:
            self.fail(f"{kind} {name} is missing (has {sorted(table)})")
            return None
        dtype, dims = table[name]
        if dtype not in dtypes:
            self.fail(f"{kind} {name} has dtype {dtype}, expected {' or '.join(dtypes)}")
        if len(dims) != len(expected):
            self.fail(f"{kind} {name} has rank {len(dims)} {dims}, expected {len(expected)}")
            return dtype
        for axis, (found, want) in enumerate(zip(dims, expected)):
            if not isinstance(found, int):
                continue  # dynamic: accepted
            if want == "B" and found != 1:
                self.fail(f"{kind} {name} axis 0 (batch) is {found}, expected dynamic or 1")
            if isinstance(want, int) and found != want:
                self.fail(f"{kind} {name} axis {axis} is {found}, expected {want}")
        return dtype

    def batch_for_run(self, name: str, wanted: int) -> int:
        dims = self.inputs.get(name, ("", []))[1]
        return 1 if dims and dims[0] == 1 else wanted

    def run(self, feeds: Dict[str, Any]) -> Dict[str, Any]:
        import onnxruntime as ort

        session = ort.InferenceSession(self.path, providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        return dict(zip(names, session.run(names, feeds)))

    def expect_output(self, outputs: Dict[str, Any], name: str, shape: Tuple[int, ...]) -> Optional[Any]:
        import numpy as np

        value = outputs.get(name)
        if value is None:
            self.fail(f"run: no output {name}")
            return None
        if tuple(value.shape) != shape:
            self.fail(f"run: output {name} has shape {tuple(value.shape)}, expected {shape}")
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            self.fail(f"run: output {name} has non-finite values")
        return value


def check_clip_image(path: str, batch: int, rng: Any) -> Tuple[List[str], Optional[int]]:
    c = Checker(path, "clip-image/1")
    c.check_contract_name()
    size, patch, dim = c.int_prop("fmwiss.input_size"), c.int_prop("fmwiss.patch_size"), c.int_prop("fmwiss.embedding_dim")
    c.floats_prop("fmwiss.mean", 3, positive=False)
    c.floats_prop("fmwiss.std", 3, positive=True)
    grid: Optional[int] = None
    if size and patch:
        if size % patch:
            c.fail(f"fmwiss.input_size {size} is not a multiple of fmwiss.patch_size {patch}")
        else:
            grid = size // patch
    c.tensor("input", "pixels", ["float32"], ["B", 3, size, size])
    c.tensor("output", "dense_embeddings", ["float32"], ["B", grid, grid, dim])
    c.tensor("output", "global_embedding", ["float32"], ["B", dim])
    if not c.errors and size and grid and dim:
        b = c.batch_for_run("pixels", batch)
        out = c.run({"pixels": rng.standard_normal((b, 3, size, size)).astype("float32")})
        c.expect_output(out, "dense_embeddings", (b, grid, grid, dim))
        c.expect_output(out, "global_embedding", (b, dim))
    return c.errors, dim


def read_tokenizer(c: Checker, path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            tok = json.load(handle)
    except (OSError, ValueError) as error:
        c.fail(f"tokenizer file {path}: {error}")
        return None
    if not isinstance(tok, dict):
        c.fail(f"tokenizer file {path}: not a JSON object")
        return None
    kind = tok.get("type")
    if kind == "clip-bpe":
        vocab, merges = tok.get("vocab"), tok.get("merges")
        if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
            c.fail("tokenizer: vocab is not an object of token -> integer id")
            return None
        if not isinstance(merges, list) or not all(isinstance(m, str) and len(m.split(" ")) == 2 for m in merges):
            c.fail('tokenizer: merges is not a list of "a b" strings')
        for key in ("start_token", "end_token"):
            if tok.get(key) not in vocab:
                c.fail(f"tokenizer: {key} {tok.get(key)!r} is not in the vocab")
        if not isinstance(tok.get("pad_id"), int):
            c.fail("tokenizer: pad_id is not an integer")
        if not isinstance(tok.get("lowercase"), bool):
            c.fail("tokenizer: lowercase is not a boolean")
        return {"size": len(vocab), "start": vocab.get(tok.get("start_token")),
                "end": vocab.get(tok.get("end_token")), "pad": tok.get("pad_id")}
    if kind == "word":
        vocab = tok.get("vocab")
        if not isinstance(vocab, list) or not all(isinstance(v, str) for v in vocab):
            c.fail("tokenizer: vocab is not a list of strings")
            return None
        ids = {}
        for key in ("start_token", "end_token", "pad_token", "unknown_token"):
            if tok.get(key) not in vocab:
                c.fail(f"tokenizer: {key} {tok.get(key)!r} is not in the vocab")
            else:
                ids[key] = vocab.index(tok.get(key))
        return {"size": len(vocab), "start": ids.get("start_token"), "end": ids.get("end_token"),
                "pad": ids.get("pad_token")}
    c.fail(f"tokenizer: type {kind!r}, expected 'clip-bpe' or 'word'")
    return None


def check_clip_text(path: str, batch: int, rng: Any) -> Tuple[List[str], Optional[int]]:
    import numpy as np

    c = Checker(path, "clip-text/1")
    c.check_contract_name()
    length, dim = c.int_prop("fmwiss.context_length"), c.int_prop("fmwiss.embedding_dim")
    tok_name = c.props.get("fmwiss.tokenizer")
    tok = None
    if not tok_name:
        c.fail("property fmwiss.tokenizer is missing")
    else:
        tok = read_tokenizer(c, os.path.join(os.path.dirname(os.path.abspath(path)), tok_name))
    dtype = c.tensor("input", "token_ids", ["int64", "int32"], ["B", length])
    c.tensor("output", "text_embedding", ["float32"], ["B", dim])
    if not c.errors and length and dim and tok and dtype:
        b = c.batch_for_run("token_ids", batch)
        ids = np.full((b, length), tok["pad"], dtype=NUMPY_DTYPES[dtype])
        for row in range(b):  # start, a few random ordinary tokens, end, padding
            n = int(rng.integers(1, max(2, min(length - 2, 12))))
            ordinary = [i for i in rng.integers(0, tok["size"], size=4 * n).tolist()
                        if i not in (tok["start"], tok["end"], tok["pad"])][:n]
            ids[row, : len(ordinary) + 2] = [tok["start"], *ordinary, tok["end"]]
        out = c.run({"token_ids": ids})
        c.expect_output(out, "text_embedding", (b, dim))
    return c.errors, dim


def check_vit_attention(path: str, batch: int, rng: Any) -> List[str]:
    import numpy as np

    c = Checker(path, "vit-attention/1")
    c.check_contract_name()
    size, patch = c.int_prop("fmwiss.input_size"), c.int_prop("fmwiss.patch_size")
    prefix = c.int_prop("fmwiss.prefix_tokens", default=1)
    c.floats_prop("fmwiss.mean", 3, positive=False)
    c.floats_prop("fmwiss.std", 3, positive=True)
    grid: Optional[int] = None
    if size and patch:
        if size % patch:
            c.fail(f"fmwiss.input_size {size} is not a multiple of fmwiss.patch_size {patch}")
        else:
            grid = size // patch
    tokens = prefix + grid * grid if (prefix and grid) else None
    c.tensor("input", "pixels", ["float32"], ["B", 3, size, size])
    c.tensor("output", "attention", ["float32"], ["B", None, tokens, tokens])
    c.tensor("output", "patch_grid", ["int64", "int32"], [2])
    if not c.errors and size and grid and tokens:
        b = c.batch_for_run("pixels", batch)
        out = c.run({"pixels": rng.standard_normal((b, 3, size, size)).astype("float32")})
        attention = out.get("attention")
        if attention is None or attention.ndim != 4:
            c.fail("run: attention missing or not of rank 4")
        else:
            attention = c.expect_output(out, "attention", (b, attention.shape[1], tokens, tokens))
            if attention is not None and not np.allclose(attention.sum(axis=-1), 1.0, atol=1e-3):
                c.fail("run: attention rows do not sum to 1 (not a softmax over keys?)")
        grid_out = c.expect_output(out, "patch_grid", (2,))
        if grid_out is not None and grid_out.tolist() != [grid, grid]:
            c.fail(f"run: patch_grid is {grid_out.tolist()}, expected {[grid, grid]}")
    return c.errors


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Check ONNX models against the fmwiss model contracts and run each once "
                    "with onnxruntime on a random input.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--clip-image", default="", help="a clip-image/1 model (.onnx); empty: skip")
    parser.add_argument("--clip-text", default="", help="a clip-text/1 model (.onnx); empty: skip")
    parser.add_argument("--vit-attention", default="", help="a vit-attention/1 model (.onnx); empty: skip")
    parser.add_argument("--batch", type=int, default=2, help="batch size of the random run (1 if the model fixes it)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    args = parser.parse_args(argv)
    if not (args.clip_image or args.clip_text or args.vit_attention):
        parser.error("give at least one of --clip-image, --clip-text, --vit-attention")

    import numpy as np

    rng = np.random.default_rng(args.seed)
    failures = 0
    dims: Dict[str, Optional[int]] = {}

    def report(label: str, path: str, errors: List[str]) -> None:
        nonlocal failures
        failures += len(errors)
        print(f"{label} {path}: {'OK' if not errors else f'{len(errors)} problem(s)'}")
        for error in errors:
            print(f"  - {error}")

    if args.clip_image:
        errors, dims["image"] = check_clip_image(args.clip_image, args.batch, rng)
        report("clip-image/1", args.clip_image, errors)
    if args.clip_text:
        errors, dims["text"] = check_clip_text(args.clip_text, args.batch, rng)
        report("clip-text/1", args.clip_text, errors)
    if args.vit_attention:
        report("vit-attention/1", args.vit_attention, check_vit_attention(args.vit_attention, args.batch, rng))
    if dims.get("image") and dims.get("text") and dims["image"] != dims["text"]:
        print(f"embedding_dim differs: image {dims['image']}, text {dims['text']}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

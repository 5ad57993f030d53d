#!/usr/bin/env python3
"""Export CLIP ViT-B/16 to the project's `clip-image/1` and `clip-text/1` ONNX contracts
(docs/model-contracts.md), with their fmwiss.* metadata_props, and write the clip-bpe
tokenizer file next to them.

Image model, `pixels [B,3,224,224]` (normalised with CLIP's mean/std) ->
  `dense_embeddings [B,14,14,512]`: MaskCLIP's dense features. All blocks but the last run
      as usual; for the last block, per token x (its input), with the chosen --maskclip-variant:
        y = out_proj(v(ln_1(x)))            v: the value third of attn.in_proj_weight/bias
        full:     y = x + y; y = y + mlp(ln_2(y))   (MaskCLIP's released ViT code; METHOD.md s.1)
        residual: y = x + y                          (no FFN)
        value:    y                                  (no residual, no FFN)
      then ln_post and `@ proj` for the patch tokens, laid out as the 14x14 grid (row-major).
      Not normalised.
  `global_embedding [B,512]`: CLIP's usual image embedding (the last block run normally,
      ln_post of the class token, @ proj). Not normalised.
Text model, `token_ids int64 [B,77]` -> `text_embedding [B,512]`: CLIP's encode_text (the
  features at the highest token id, the end token, @ text_projection). Not normalised.

The transformer blocks are evaluated by this file's own code from the loaded model's weights
(ln_1, attn.in_proj_*, attn.out_proj, ln_2, mlp), batch-first, so that the same code serves the
`clip` package and open_clip; before exporting, the wrapper's outputs are compared with the
package's own encode_image / encode_text (see --tolerance).

torch, onnx, onnxruntime and the chosen CLIP package are imported inside main(), after the
arguments are parsed, so that --help works without them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import make_tokenizer  # noqa: E402

VARIANTS = ("full", "residual", "value")


def build_wrappers(torch: Any, model: Any, variant: str) -> Tuple[Any, Any]:
    """The image and text nn.Modules to export, built on the loaded CLIP `model` (its
    visual VisionTransformer; its token_embedding, positional_embedding, transformer, ln_final,
    text_projection). They register the submodules and parameters they use, so that these
    become the exported graphs' initializers."""
    nn = torch.nn
    F = torch.nn.functional
    Module: Any = torch.nn.Module

    def check_block(block: Any) -> None:
        attn = getattr(block, "attn", None)
        if getattr(attn, "in_proj_weight", None) is None or getattr(attn, "in_proj_bias", None) is None:
            raise SystemExit("unsupported block: expected nn.MultiheadAttention with a packed in_proj")
        extra = getattr(block, "ln_attn", None)  # open_clip option, absent from OpenAI's weights
        if extra is not None and not isinstance(extra, nn.Identity):
            raise SystemExit("unsupported block: ln_attn is not Identity")

    def layer_scale(block: Any, name: str) -> Any:
        scale = getattr(block, name, None)  # open_clip's ls_1 / ls_2; Identity for OpenAI weights
        return scale if scale is not None else nn.Identity()

    def attention(block: Any, h: Any, mask: Optional[Any]) -> Any:
        """nn.MultiheadAttention's self-attention on batch-first h [B,N,C], written out."""
        attn = block.attn
        width, heads = int(attn.embed_dim), int(attn.num_heads)
        head_dim = width // heads
        q, k, v = F.linear(h, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)

        def split(t: Any) -> Any:  # [B,N,C] -> [B,heads,N,head_dim]
            return t.reshape(t.shape[0], -1, heads, head_dim).transpose(1, 2)

        scores = (split(q) * head_dim ** -0.5) @ split(k).transpose(-2, -1)
        if mask is not None:
            scores = scores + mask
        out = scores.softmax(dim=-1) @ split(v)
        return attn.out_proj(out.transpose(1, 2).reshape(h.shape[0], -1, width))

    def block_forward(block: Any, x: Any, mask: Optional[Any]) -> Any:
        x = x + layer_scale(block, "ls_1")(attention(block, block.ln_1(x), mask))
        return x + layer_scale(block, "ls_2")(block.mlp(block.ln_2(x)))

    def value_path(block: Any, x: Any) -> Any:
        """MaskCLIP: the last block with the value projection in place of attention."""
        attn = block.attn
        width = int(attn.embed_dim)
        v = F.linear(block.ln_1(x), attn.in_proj_weight[2 * width:], attn.in_proj_bias[2 * width:])
        y = attn.out_proj(v)
        if variant == "value":
            return y
        y = x + layer_scale(block, "ls_1")(y)
        if variant == "residual":
            return y
        return y + layer_scale(block, "ls_2")(block.mlp(block.ln_2(y)))

    visual = model.visual
    for block in list(visual.transformer.resblocks) + list(model.transformer.resblocks):
        check_block(block)
    if getattr(visual, "attn_pool", None) is not None or getattr(visual, "pool_type", "tok") != "tok":
        raise SystemExit("unsupported visual model: expected class-token pooling without attn_pool")
    grid = int(round((visual.positional_embedding.shape[0] - 1) ** 0.5))
    dim = int(visual.proj.shape[1])
    width = int(visual.class_embedding.shape[0])
    context = int(model.positional_embedding.shape[0])
    text_width = int(model.positional_embedding.shape[1])

    class ImageModel(Module):
        def __init__(self) -> None:
            super().__init__()
            self.visual = visual

        def forward(self, pixels: Any) -> Tuple[Any, Any]:
            v = self.visual
            blocks = list(v.transformer.resblocks)
            x = v.conv1(pixels)                           # [B, width, grid, grid]
            x = x.flatten(2).transpose(1, 2)              # [B, grid*grid, width], row-major
            cls = v.class_embedding.reshape(1, 1, width).expand(x.shape[0], -1, -1)
            x = v.ln_pre(torch.cat([cls, x], dim=1) + v.positional_embedding)
            for block in blocks[:-1]:
                x = block_forward(block, x, None)
            dense = v.ln_post(value_path(blocks[-1], x)[:, 1:, :]) @ v.proj
            pooled = v.ln_post(block_forward(blocks[-1], x, None)[:, 0, :]) @ v.proj
            return dense.reshape(-1, grid, grid, dim), pooled

    class TextModel(Module):
        def __init__(self) -> None:
            super().__init__()
            self.token_embedding = model.token_embedding
            self.positional_embedding = model.positional_embedding
            self.transformer = model.transformer
            self.ln_final = model.ln_final
            self.text_projection = model.text_projection
            causal = torch.full((context, context), float("-inf")).triu(1)
            self.register_buffer("causal_mask", causal, persistent=False)

        def forward(self, token_ids: Any) -> Any:
            x = self.token_embedding(token_ids) + self.positional_embedding
            for block in self.transformer.resblocks:
                x = block_forward(block, x, self.causal_mask)
            x = self.ln_final(x)
            # CLIP: the end token has the highest id. Cast first: onnxruntime has no
            # ArgMax kernel for int64 (microsoft/onnxruntime#10068).
            end = token_ids.to(torch.int32).argmax(dim=-1)
            x = x.gather(1, end.reshape(-1, 1, 1).expand(-1, 1, text_width)).squeeze(1)
            projection = self.text_projection
            return projection(x) if isinstance(projection, nn.Module) else x @ projection

    return ImageModel().eval(), TextModel().eval()


def load_clip(source: str, name: str, pretrained: str) -> Tuple[Any, Optional[str], Any]:
    """(model in float32 on CPU, path of the package's bpe file or None, the package's
    SimpleTokenizer instance or None)."""
    if source == "openai-clip":
        import clip  # from https://github.com/openai/CLIP
        from clip import simple_tokenizer

        model, _ = clip.load(name, device="cpu", jit=False)
        model = model.float().eval().requires_grad_(False)
        return model, simple_tokenizer.default_bpe(), simple_tokenizer.SimpleTokenizer()
    import open_clip

    model, _, _ = open_clip.create_model_and_transforms(name, pretrained=pretrained, device="cpu")
    bpe: Optional[str] = None
    reference = None
    try:
        from open_clip import tokenizer as oc_tokenizer

        bpe = oc_tokenizer.default_bpe()
        reference = oc_tokenizer.SimpleTokenizer()
    except (ImportError, AttributeError):
        pass
    return model.float().eval().requires_grad_(False), bpe, reference


def compare_tokenizer(tokenizer: Dict[str, object], reference: Any) -> None:
    """Our vocabulary and merge ranks must equal the package's SimpleTokenizer's. The two
    special tokens are compared by id only: open_clip spells them <start_of_text>,
    <end_of_text>, where OpenAI's `clip` (and the clip-bpe file) use <|startoftext|>, <|endoftext|>."""
    if reference is None:
        print("  tokenizer: no SimpleTokenizer to compare with; skipped")
        return
    vocab = tokenizer["vocab"]
    merges = tokenizer["merges"]
    assert isinstance(vocab, dict) and isinstance(merges, list)
    specials = {vocab[make_tokenizer.START_TOKEN], vocab[make_tokenizer.END_TOKEN]}
    ours = {t: i for t, i in vocab.items() if i not in specials}
    theirs = {t: i for t, i in reference.encoder.items() if i not in specials}
    their_specials = {i for i in reference.encoder.values() if i in specials}
    ranks = {tuple(m.split(" ")): r for r, m in enumerate(merges)}
    if ours != theirs or their_specials != specials or ranks != reference.bpe_ranks:
        raise SystemExit("tokenizer differs from the package's SimpleTokenizer (vocab or merge ranks)")
    print(f"  tokenizer: vocab ({len(vocab)}) and merge ranks equal SimpleTokenizer's")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Export CLIP ViT-B/16 to clip-image.onnx (MaskCLIP dense + global "
                    "embeddings), clip-text.onnx and clip-text.tokenizer.json.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out-dir", required=True, help="folder for the three output files")
    parser.add_argument("--source", choices=["openai-clip", "open_clip"], default="openai-clip",
                        help="package that loads the weights: OpenAI's `clip` or `open_clip`")
    parser.add_argument("--model", default="ViT-B/16",
                        help="model name for the package (openai-clip: 'ViT-B/16' or a checkpoint "
                             "path; open_clip: 'ViT-B-16')")
    parser.add_argument("--pretrained", default="openai",
                        help="open_clip's pretrained tag or checkpoint path (ignored for openai-clip)")
    parser.add_argument("--maskclip-variant", choices=VARIANTS, default="full",
                        help="what the last block does for dense_embeddings: full = v, out_proj, "
                             "residual, FFN; residual = no FFN; value = v and out_proj only")
    parser.add_argument("--bpe", default=None,
                        help="bpe_simple_vocab_16e6.txt.gz; unset: the file inside the package")
    parser.add_argument("--mean", default=common.CLIP_MEAN, help="fmwiss.mean (CLIP's)")
    parser.add_argument("--std", default=common.CLIP_STD, help="fmwiss.std (CLIP's)")
    parser.add_argument("--image-name", default="clip-image.onnx", help="image model file name")
    parser.add_argument("--text-name", default="clip-text.onnx", help="text model file name")
    parser.add_argument("--tokenizer-name", default="clip-text.tokenizer.json",
                        help="tokenizer file name, written as fmwiss.tokenizer (relative to the model)")
    parser.add_argument("--tolerance", type=float, default=1e-3,
                        help="largest relative error accepted: wrapper vs the package's encoders, "
                             "and onnxruntime vs PyTorch")
    parser.add_argument("--verify", choices=["on", "off"], default="on",
                        help="run the exported files with onnxruntime and compare with PyTorch")
    args = parser.parse_args(argv)
    common.parse_floats(args.mean, 3)
    common.parse_floats(args.std, 3)
    if args.source == "open_clip" and "/" in args.model:
        parser.error("open_clip names the model 'ViT-B-16' (a dash), not 'ViT-B/16'")

    import torch

    os.makedirs(args.out_dir, exist_ok=True)
    image_path = os.path.join(args.out_dir, args.image_name)
    text_path = os.path.join(args.out_dir, args.text_name)
    tokenizer_path = os.path.join(args.out_dir, args.tokenizer_name)

    print(f"loading {args.model} with {args.source}")
    model, package_bpe, reference_tokenizer = load_clip(args.source, args.model, args.pretrained)
    visual = model.visual
    image_model, text_model = build_wrappers(torch, model, args.maskclip_variant)

    size = int(visual.conv1.kernel_size[0]) * int(round((visual.positional_embedding.shape[0] - 1) ** 0.5))
    patch = int(visual.conv1.kernel_size[0])
    dim = int(visual.proj.shape[1])
    context = int(model.positional_embedding.shape[0])
    print(f"  input {size}x{size}, patch {patch}, grid {size // patch}, embedding {dim}, context {context}")

    # tokenizer file
    bpe = args.bpe or package_bpe
    if bpe is None:
        raise SystemExit("no bpe file found in the package; pass --bpe")
    tokenizer = make_tokenizer.build_tokenizer(bpe, make_tokenizer.CLIP_MERGES)
    compare_tokenizer(tokenizer, reference_tokenizer)
    ids = make_tokenizer.encode_ascii_words(tokenizer, make_tokenizer.SELFTEST_TEXT)
    if ids != make_tokenizer.SELFTEST_IDS:
        raise SystemExit(f"tokenizer self-test failed: {ids}")
    with open(tokenizer_path, "w", encoding="utf-8") as handle:
        json.dump(tokenizer, handle, ensure_ascii=False)
    print(f"wrote {tokenizer_path}")

    # wrapper vs the package's own encoders (checks this file's block code)
    torch.manual_seed(0)
    pixels = torch.randn(2, 3, size, size)
    tokens = torch.zeros(2, context, dtype=torch.int64)
    for row, words in enumerate(["a photo of a cat", "there is a dog in the scene"]):
        ids = make_tokenizer.encode_ascii_words(tokenizer, words)
        tokens[row, : len(ids)] = torch.tensor(ids)
    with torch.no_grad():
        dense, pooled = image_model(pixels)
        text = text_model(tokens)
        common.check_close("global_embedding vs encode_image", pooled, model.encode_image(pixels), args.tolerance)
        common.check_close("text_embedding vs encode_text", text, model.encode_text(tokens), args.tolerance)
    grid = size // patch
    if tuple(dense.shape) != (2, grid, grid, dim):
        raise SystemExit(f"dense_embeddings has shape {tuple(dense.shape)}")

    B = common.BATCH_AXIS_NAME
    common.export_onnx(image_model, [pixels], image_path, ["pixels"],
                       ["dense_embeddings", "global_embedding"],
                       ["pixels", "dense_embeddings", "global_embedding"])
    source = f"{args.source} {args.model}" + (f" {args.pretrained}" if args.source == "open_clip" else "")
    common.finish_model(image_path, {
        "fmwiss.contract": "clip-image/1",
        "fmwiss.input_size": str(size),
        "fmwiss.patch_size": str(patch),
        "fmwiss.mean": args.mean,
        "fmwiss.std": args.std,
        "fmwiss.embedding_dim": str(dim),
        "fmwiss.maskclip_variant": args.maskclip_variant,  # informational
        "fmwiss.source": source,  # informational
    }, {"dense_embeddings": [B, grid, grid, dim], "global_embedding": [B, dim]})
    print(f"wrote {image_path}")

    common.export_onnx(text_model, [tokens], text_path, ["token_ids"], ["text_embedding"],
                       ["token_ids", "text_embedding"])
    common.finish_model(text_path, {
        "fmwiss.contract": "clip-text/1",
        "fmwiss.context_length": str(context),
        "fmwiss.embedding_dim": str(dim),
        "fmwiss.tokenizer": args.tokenizer_name,
        "fmwiss.source": source,  # informational
    }, {"text_embedding": [B, dim]})
    print(f"wrote {text_path}")

    if args.verify == "on":
        # a batch size other than the one traced, to exercise the dynamic axis
        pixels3 = torch.randn(3, 3, size, size)
        tokens3 = torch.cat([tokens, tokens[:1]], dim=0)
        with torch.no_grad():
            dense3, pooled3 = image_model(pixels3)
            text3 = text_model(tokens3)
        out = common.run_onnxruntime(image_path, {"pixels": pixels3.numpy()})
        common.check_close("onnxruntime dense_embeddings", out["dense_embeddings"], dense3.numpy(), args.tolerance)
        common.check_close("onnxruntime global_embedding", out["global_embedding"], pooled3.numpy(), args.tolerance)
        out = common.run_onnxruntime(text_path, {"token_ids": tokens3.numpy()})
        common.check_close("onnxruntime text_embedding", out["text_embedding"], text3.numpy(), args.tolerance)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

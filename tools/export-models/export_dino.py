#!/usr/bin/env python3
"""Export DINO ViT-S/16 (facebookresearch/dino) to the project's `vit-attention/1` ONNX
contract (docs/model-contracts.md), with its fmwiss.* metadata_props.

  pixels [B,3,224,224] (ImageNet mean/std) -> attention [B,6,197,197]: the softmax
      self-attention of the last block, all 6 heads, row = query token; token 0 is the class
      token, tokens 1.. the 14x14 patches row-major. This is exactly DINO's
      VisionTransformer.get_last_selfattention, which the wrapper calls.
                                            -> patch_grid int64 [2] = [14, 14], a constant
      added to the graph after export.

torch, onnx and onnxruntime are imported inside main(), after the arguments are parsed, so
that --help works without them.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402


def load_dino(repo: str, source: str, entry: str, weights: str) -> Any:
    """DINO from torch.hub; with --weights, the architecture only, then that state dict."""
    import torch

    if weights:
        model = torch.hub.load(repo, entry, source=source, pretrained=False)
        state = torch.load(weights, map_location="cpu")  # a plain state dict of tensors
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing:
            raise SystemExit(f"{weights}: missing weights {missing[:5]}...")
        if unexpected:
            print(f"  ignored {len(unexpected)} unexpected keys, e.g. {unexpected[:3]}")
    else:
        model = torch.hub.load(repo, entry, source=source)
    return model.float().eval().requires_grad_(False)


def add_patch_grid(path: str, grid: int) -> None:
    """Append the constant output `patch_grid` = [grid, grid] (int64, shape [2])."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(path)
    value = numpy_helper.from_array(np.array([grid, grid], dtype=np.int64), name="patch_grid_value")
    model.graph.node.append(helper.make_node("Constant", [], ["patch_grid"], value=value))
    model.graph.output.append(helper.make_tensor_value_info("patch_grid", TensorProto.INT64, [2]))
    onnx.save(model, path)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Export DINO ViT-S/16 to dino-vits16.onnx (vit-attention/1: last-block "
                    "self-attention and the patch grid).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", required=True, help="output file, e.g. out/dino-vits16.onnx")
    parser.add_argument("--hub-repo", default="facebookresearch/dino:main",
                        help="torch.hub repository (or a local clone with --hub-source local)")
    parser.add_argument("--hub-source", choices=["github", "local"], default="github",
                        help="torch.hub.load's source")
    parser.add_argument("--entry", default="dino_vits16", help="torch.hub entry point")
    parser.add_argument("--weights", default="",
                        help="local backbone state dict (like the released "
                             "dino_deitsmall16_pretrain.pth) to load instead of the hub's "
                             "pretrained download; empty: the hub's")
    parser.add_argument("--input-size", type=int, default=224,
                        help="S; the positional embeddings are NOT interpolated: use the size the "
                             "model was trained at")
    parser.add_argument("--mean", default=common.IMAGENET_MEAN, help="fmwiss.mean (ImageNet's)")
    parser.add_argument("--std", default=common.IMAGENET_STD, help="fmwiss.std (ImageNet's)")
    parser.add_argument("--tolerance", type=float, default=1e-3,
                        help="largest relative error accepted, onnxruntime vs PyTorch")
    parser.add_argument("--verify", choices=["on", "off"], default="on",
                        help="run the exported file with onnxruntime and compare with PyTorch")
    args = parser.parse_args(argv)
    common.parse_floats(args.mean, 3)
    common.parse_floats(args.std, 3)

    import torch

    print(f"loading {args.entry} from {args.hub_repo} ({args.hub_source})")
    model = load_dino(args.hub_repo, args.hub_source, args.entry, args.weights)
    patch_size = model.patch_embed.patch_size
    patch = int(patch_size[0] if isinstance(patch_size, (tuple, list)) else patch_size)
    tokens = int(model.pos_embed.shape[1])
    grid = int(round((tokens - 1) ** 0.5))
    if args.input_size != grid * patch:
        raise SystemExit(f"--input-size {args.input_size}: the model's positional embeddings are "
                         f"for {grid * patch} ({grid}x{grid} patches of {patch}); no interpolation here")
    heads = int(model.blocks[-1].attn.num_heads)
    print(f"  input {args.input_size}, patch {patch}, grid {grid}, heads {heads}, tokens {tokens}")

    class AttentionModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.vit = model

        def forward(self, pixels: Any) -> Any:
            return self.vit.get_last_selfattention(pixels)

    wrapper = AttentionModel().eval()
    torch.manual_seed(0)
    pixels = torch.randn(2, 3, args.input_size, args.input_size)
    with torch.no_grad():
        attention = wrapper(pixels)
    if tuple(attention.shape) != (2, heads, tokens, tokens):
        raise SystemExit(f"attention has shape {tuple(attention.shape)}")

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    common.export_onnx(wrapper, [pixels], args.out, ["pixels"], ["attention"], ["pixels", "attention"])
    add_patch_grid(args.out, grid)
    common.finish_model(args.out, {
        "fmwiss.contract": "vit-attention/1",
        "fmwiss.input_size": str(args.input_size),
        "fmwiss.patch_size": str(patch),
        "fmwiss.mean": args.mean,
        "fmwiss.std": args.std,
        "fmwiss.prefix_tokens": "1",
        "fmwiss.source": f"{args.hub_repo} {args.entry}" + (f" {args.weights}" if args.weights else ""),
    }, {"attention": [common.BATCH_AXIS_NAME, heads, tokens, tokens], "patch_grid": [2]})
    print(f"wrote {args.out}")

    if args.verify == "on":
        pixels3 = torch.randn(3, 3, args.input_size, args.input_size)  # not the traced batch size
        with torch.no_grad():
            expected = wrapper(pixels3).numpy()
        out = common.run_onnxruntime(args.out, {"pixels": pixels3.numpy()})
        common.check_close("onnxruntime attention", out["attention"], expected, args.tolerance)
        if out["patch_grid"].tolist() != [grid, grid]:
            raise SystemExit(f"patch_grid is {out['patch_grid'].tolist()}")
        print(f"  onnxruntime patch_grid: {out['patch_grid'].tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Helpers shared by the exporters: torch.onnx.export with the project's settings, the
`fmwiss.*` metadata_props, and a comparison of ONNX Runtime outputs with PyTorch outputs.

Nothing here imports torch, onnx or onnxruntime at module level, so that every script's
--help works without them; each function imports what it needs.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, List, Mapping, Sequence

OPSET = 17
BATCH_AXIS_NAME = "B"

# CLIP's normalisation of [0,1] RGB (openai/CLIP clip/clip.py, _transform).
CLIP_MEAN = "0.48145466,0.4578275,0.40821073"
CLIP_STD = "0.26862954,0.26130258,0.27577711"
# ImageNet's, used by DINO.
IMAGENET_MEAN = "0.485,0.456,0.406"
IMAGENET_STD = "0.229,0.224,0.225"


def parse_floats(text: str, count: int) -> List[float]:
    """'a,b,c' -> [a, b, c]; raises ValueError unless there are exactly `count` numbers."""
    values = [float(part) for part in text.split(",")]
    if len(values) != count:
        raise ValueError(f"expected {count} comma-separated numbers, got {text!r}")
    return values


def export_onnx(
    module: Any,
    example_inputs: Sequence[Any],
    path: str,
    input_names: List[str],
    output_names: List[str],
    batch_dynamic: List[str],
) -> None:
    """torch.onnx.export with opset 17, constant folding, and axis 0 of each tensor named in
    `batch_dynamic` dynamic ("B"). Uses the TorchScript-based exporter (dynamo=False), whose
    `dynamic_axes` behaviour is the one this tool was written against; torch >= 2.9 defaults
    to the dynamo exporter, hence the explicit flag where torch accepts it."""
    import torch

    kwargs: Dict[str, Any] = dict(
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes={name: {0: BATCH_AXIS_NAME} for name in batch_dynamic},
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, tuple(example_inputs), path, **kwargs)


def finish_model(path: str, properties: Mapping[str, str], output_shapes: Mapping[str, List[Any]]) -> None:
    """Declare the outputs' shapes (the exporter leaves computed dimensions symbolic; an int
    fixes a dimension, a string names a dynamic one, e.g. "B"), write `properties` into the
    model's metadata_props (replacing keys of the same name, keeping any others), check the
    model, and save it in place."""
    import onnx

    model = onnx.load(path)
    outputs = {o.name: o for o in model.graph.output}
    for name, dims in output_shapes.items():
        shape = outputs[name].type.tensor_type.shape
        del shape.dim[:]
        for value in dims:
            dim = shape.dim.add()
            if isinstance(value, int):
                dim.dim_value = value
            else:
                dim.dim_param = value
    kept = [(p.key, p.value) for p in model.metadata_props if p.key not in properties]
    del model.metadata_props[:]
    for key, value in kept + sorted(properties.items()):
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = str(value)
    onnx.save(model, path)
    onnx.checker.check_model(path)


def relative_error(actual: Any, expected: Any) -> float:
    """max |actual - expected| / max(max |expected|, 1e-12), on numpy arrays or torch tensors."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise ValueError(f"shape {a.shape} != expected {e.shape}")
    return float(np.max(np.abs(a - e)) / max(float(np.max(np.abs(e))), 1e-12))


def check_close(label: str, actual: Any, expected: Any, tolerance: float) -> None:
    err = relative_error(actual, expected)
    print(f"  {label}: relative max error {err:.2e} (tolerance {tolerance:.0e})")
    if not err <= tolerance:
        raise SystemExit(f"{label}: relative error {err:.2e} exceeds {tolerance:.0e}")


def run_onnxruntime(path: str, feeds: Mapping[str, Any]) -> Dict[str, Any]:
    """Run the model once on CPU; returns {output name: numpy array}."""
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, dict(feeds))))

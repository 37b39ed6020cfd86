#!/usr/bin/env python3
"""Checks `grokscope transformer-lens` against a real TransformerLens: for each checkpoint, the
exported state dict loads into a `HookedTransformer` built from the config in its metadata, whose logits
on every pair must equal this directory's independent forward pass of the checkpoint
(`clock_pizza.py`) to float rounding. Needs `pip install 'transformer-lens<4'` (docs/cli.md,
"TransformerLens").

    python3 tests/reference/transformer_lens_check.py CHECKPOINT EXPORTED [CHECKPOINT EXPORTED ...]
"""
import json, os, sys

import torch
from safetensors import safe_open
from transformer_lens import HookedTransformer, HookedTransformerConfig

sys.path.insert(0, os.path.dirname(__file__))
import clock_pizza

worst = 0.0
for checkpoint, exported in zip(sys.argv[1::2], sys.argv[2::2]):
    config, weights = clock_pizza.load(checkpoint)
    expected = clock_pizza.logits(config, weights)
    with safe_open(exported, "pt") as f:
        cfg = json.loads(f.metadata()["config"])
        state_dict = {name: f.get_tensor(name) for name in f.keys()}
    model = HookedTransformer(HookedTransformerConfig(**cfg))
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    # TransformerLens' attention buffers (mask, IGNORE) are its own, not the model's.
    assert all(k.endswith((".mask", ".IGNORE")) for k in missing) and not unexpected, (missing, unexpected)
    a, b = clock_pizza.all_pairs(config["C"])
    with torch.no_grad():
        logits = model(clock_pizza.tokens(config, a, b))[:, -1]
    difference = ((logits - expected).abs().max() / expected.abs().max()).item()
    worst = max(worst, difference)
    same = (logits.argmax(-1) == expected.argmax(-1)).float().mean().item()
    print(json.dumps({"checkpoint": os.path.basename(checkpoint), "pairs": len(a), "largest_relative_difference": difference, "same_argmax": same}))
    assert difference < 1e-5, difference
print(f"TransformerLens reproduces every model's logits (largest relative difference {worst:.1e})")

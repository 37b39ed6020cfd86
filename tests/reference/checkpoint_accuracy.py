#!/usr/bin/env python3
"""Independent PyTorch forward pass over the paper's released checkpoints (SPEC.md §2, §2.1):
prints, for each, how many of the p² pairs it answers correctly. The Rust test
`crates/core/tests/checkpoints.rs` asserts the same counts. Needs `pip install torch`.

    python3 tests/reference/checkpoint_accuracy.py ../shared/reference/clock-pizza/checkpoints
"""
import glob, json, math, struct, sys

import torch


def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    config = json.loads(header.pop("__metadata__")["config"])
    tensors = {
        name: torch.frombuffer(bytearray(raw[8 + n + t["data_offsets"][0] : 8 + n + t["data_offsets"][1]]), dtype=torch.float32).reshape(t["shape"])
        for name, t in header.items()
    }
    return config, tensors


def logits(c, w):
    p = c["C"]
    a, b = torch.arange(p * p) // p, torch.arange(p * p) % p
    if "model_type" in c:  # train-linear.py
        e = w["embed.weight"]
        dense = lambda name, x: x @ w[name + ".weight"].T + w[name + ".bias"]
        kind = c["model_type"]
        if kind in "AB":
            h = torch.relu(dense("l1", e[a] + e[b]))
        elif kind == "C":
            h = torch.relu(dense("l1", e[a]) + dense("l1", e[b]))
        else:  # D
            h = torch.relu(dense("l1", torch.cat([e[a], e[b]], 1)))
        if kind in "BC":
            h = torch.relu(dense("l2", h))
        return h @ w["unembed.weight"].T, (a + b) % p
    tokens = torch.stack([a, b + (p if c["diff_vocab"] else 0)], 1)
    x = w["embed.W_E"].T[tokens] + w["pos_embed.W_pos"]
    alpha = c["attn_coeff"]
    act = {"ReLU": torch.relu, "GeLU": torch.nn.functional.gelu}[c["act_fn"]]
    for l in range(c["n_layers"]):
        g = lambda name: w[f"blocks.{l}.{name}"]
        q, k, v = (torch.einsum("hkd,bnd->bhnk", g("attn.W_" + n), x) for n in "QKV")
        attn = alpha * torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1) + (1 - alpha)
        x = x + (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1) @ g("attn.W_O").T
        x = x + act(x @ g("mlp.W_in").T + g("mlp.b_in")) @ g("mlp.W_out").T + g("mlp.b_out")
    return (x @ w["unembed.W_U"])[:, -1], (a + b) % p


for path in sorted(glob.glob(sys.argv[1] + "/*.safetensors")):
    out, answers = logits(*load(path))
    print(path.split("/")[-1][:-12], (out.argmax(-1) == answers).sum().item())

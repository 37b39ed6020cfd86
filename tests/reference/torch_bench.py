#!/usr/bin/env python3
"""The PyTorch peer of `grokscope bench step`: the same training step, timed the same way, so that
`scripts/bench` can run the two in turns on one machine (docs/performance.md).

The step is the paper's run (docs/science.md §2-3) at modulus p and width d_model: the one-layer
transformer at α = 1 (4 heads, d_mlp = 4·d_model, ReLU, learned positions, no LayerNorm), computed
by `clock_pizza.py`'s forward pass; the (a + b) mod p pairs split 0.8 / 0.2 by a seeded shuffle;
one full batch of the training pairs; cross-entropy on the logits cast to float64, as the papers'
code computes it; backward; AdamW with lr 1e-3, weight decay 2, betas (0.9, 0.98), ε 1e-8 and the
10-step linear warm-up. Two steps run untimed, then each of `--steps` steps is timed alone;
nothing is read back between steps. It prints one line, as `grokscope bench step` does:
{"summary": {"ms_per_step": the median, "min_ms", "max_ms", ...}}. Needs `pip install torch`; runs on the CPU.

    python3 tests/reference/torch_bench.py --steps 20 --threads 1
    python3 tests/reference/torch_bench.py --p 31 --d-model 32
"""
import argparse, json, math, os, statistics, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clock_pizza import forward  # noqa: E402  (the independent forward pass the analysis tests use)

HEADS = 4


def initial_weights(p, d_model, generator):
    """The paper's initialisation (docs/science.md §2): N(0, 1) over √fan, biases zero, in the
    official names and layouts."""
    d_head, d_mlp = d_model // HEADS, 4 * d_model

    def normal(fan, *shape):
        return torch.randn(*shape, generator=generator) / math.sqrt(fan)

    return {
        "embed.W_E": normal(d_model, d_model, p),
        "pos_embed.W_pos": normal(d_model, 2, d_model),
        "blocks.0.attn.W_Q": normal(d_model, HEADS, d_head, d_model),
        "blocks.0.attn.W_K": normal(d_model, HEADS, d_head, d_model),
        "blocks.0.attn.W_V": normal(d_model, HEADS, d_head, d_model),
        "blocks.0.attn.W_O": normal(d_model, d_model, HEADS * d_head),
        "blocks.0.mlp.W_in": normal(d_mlp, d_mlp, d_model),
        "blocks.0.mlp.b_in": torch.zeros(d_mlp),
        "blocks.0.mlp.W_out": normal(d_model, d_model, d_mlp),
        "blocks.0.mlp.b_out": torch.zeros(d_model),
        "unembed.W_U": normal(p, d_model, p),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--p", type=int, default=59)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20, help="timed steps, after two untimed ones")
    ap.add_argument("--threads", type=int, default=1, help="torch's intra-op threads")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.steps < 1 or a.threads < 1 or a.d_model < HEADS:
        sys.exit("torch_bench.py: --steps and --threads must be at least 1, --d-model at least 4")
    torch.set_num_threads(a.threads)
    generator = torch.Generator().manual_seed(a.seed)

    # Every pair (a, b) in the official order (a major), shuffled; the first 80 % train.
    pairs = torch.cartesian_prod(torch.arange(a.p), torch.arange(a.p))
    train = pairs[torch.randperm(len(pairs), generator=generator)[: int(0.8 * len(pairs))]]
    labels = (train[:, 0] + train[:, 1]) % a.p
    config = {"C": a.p, "attn_coeff": 1.0, "act_fn": "ReLU", "n_layers": 1}

    weights = {name: w.requires_grad_() for name, w in initial_weights(a.p, a.d_model, generator).items()}
    optimizer = torch.optim.AdamW(weights.values(), lr=1e-3, weight_decay=2.0, betas=(0.9, 0.98), eps=1e-8)
    warm_up = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(step / 10, 1.0))

    def step():
        embedded = weights["embed.W_E"].T[train]  # [batch, 2, d_model], before the positions
        loss = torch.nn.functional.cross_entropy(forward(config, weights, embedded).double(), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        warm_up.step()

    step()
    step()
    ms = []
    for _ in range(a.steps):
        started = time.perf_counter()
        step()
        ms.append((time.perf_counter() - started) * 1e3)
    summary = {
        "ms_per_step": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "steps": a.steps,
        "threads": a.threads, "p": a.p, "d_model": a.d_model, "alpha": 1.0, "backend": f"torch {torch.__version__}",
    }
    print(json.dumps({"summary": summary}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An independent PyTorch implementation of the Clock & Pizza models and metrics (docs/science.md §2,
§2.1, §4), written from the spec, to check grokscope's Rust numbers against. For every released
checkpoint it prints one JSON line: correct pairs, gradient symmetricity, distance irrelevance
(correct logit and top wrong logit), circularity with each top-4 component's circle step, the
parameter norm and, for the first six PC pairs, the circle step and the Clock / Pizza / Pizza' /
accompanying-Pizza logit FVE. The Rust tests `crates/core/tests/checkpoints.rs` and `crates/analysis/tests/released.rs`
assert the same numbers. Needs only `pip install torch`.

    python3 tests/reference/clock_pizza.py ../shared/reference/clock-pizza/checkpoints
"""
import glob, json, math, random, struct, sys

import torch


def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    config = json.loads(header.pop("__metadata__")["config"])
    tensors = {
        name: torch.frombuffer(bytearray(raw[8 + n + t["data_offsets"][0] : 8 + n + t["data_offsets"][1]]), dtype=torch.float32)
        .reshape(t["shape"])
        for name, t in header.items()
    }
    return config, tensors


def is_linear(c):
    return "model_type" in c


def embedding_rows(c, w):
    """The token embedding table with one row per token."""
    return w["embed.weight"] if is_linear(c) else w["embed.W_E"].T


def tokens(c, a, b):
    p = c["C"]
    if is_linear(c):
        return torch.stack([a, b], 1)
    seq = [a, b + (p if c.get("diff_vocab") else 0)]
    if c.get("eqn_sign"):
        seq.append(torch.full_like(a, p * (1 + bool(c.get("diff_vocab")))))  # `=`, the last token id
    return torch.stack(seq, 1)


def forward(c, w, e):
    """Logits from token embeddings e [N, n, d] (before the position embedding), last position."""
    if is_linear(c):
        dense = lambda name, x: x @ w[name + ".weight"].T + w[name + ".bias"]
        kind, ea, eb = c["model_type"], e[:, 0], e[:, 1]
        if kind in "AB":
            h = torch.relu(dense("l1", ea + eb))
        elif kind == "C":
            h = torch.relu(dense("l1", ea) + dense("l1", eb))
        else:  # D
            h = torch.relu(dense("l1", torch.cat([ea, eb], 1)))
        if kind in "BC":
            h = torch.relu(dense("l2", h))
        return h @ w["unembed.weight"].T
    x = e + w["pos_embed.W_pos"]
    alpha = c["attn_coeff"]
    act = {"ReLU": torch.relu, "GeLU": torch.nn.functional.gelu, "Tanh": torch.tanh}[c["act_fn"]]
    for l in range(c["n_layers"]):
        g = lambda name: w[f"blocks.{l}.{name}"]
        q, k, v = (torch.einsum("hkd,bnd->bhnk", g("attn.W_" + n), x) for n in "QKV")
        attn = alpha * torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1) + (1 - alpha)
        x = x + (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1) @ g("attn.W_O").T
        x = x + act(x @ g("mlp.W_in").T + g("mlp.b_in")) @ g("mlp.W_out").T + g("mlp.b_out")
    return (x @ w["unembed.W_U"])[:, -1]


def all_pairs(p):
    return torch.arange(p * p) // p, torch.arange(p * p) % p


def logits(c, w):
    a, b = all_pairs(c["C"])
    return forward(c, w, embedding_rows(c, w)[tokens(c, a, b)])


def distance_irrelevance(values, a, b, p):
    table = torch.zeros(p, p)
    table[(a + b) % p, (a - b) % p] = values
    return (table.std(0, unbiased=False).mean() / table.flatten().std(unbiased=False)).item()


def gradient_symmetricity(c, w):
    p = c["C"]
    triples = [(a, b, k) for a in range(p) for b in range(p) for k in range(p)]
    random.Random(42).shuffle(triples)
    a, b, k = (torch.tensor(col) for col in zip(*triples[:100]))
    e = embedding_rows(c, w)[tokens(c, a, b)].clone().requires_grad_(True)
    forward(c, w, e)[torch.arange(100), k].sum().backward()
    g0, g1 = e.grad[:, 0], e.grad[:, 1]
    return ((g0 * g1).sum(1) / g0.norm(dim=1) / g1.norm(dim=1)).mean().item()


def pca(x, n=20):
    mean = x.mean(0)
    u, s, vt = torch.linalg.svd(x - mean, full_matrices=False)
    return mean, (u * s)[:, :n], vt[:n]


def circle_score(column, p):
    """Best step i and 2|z_i|^2 (docs/science.md §4.3) for one PC's scores; the first p rows are the tokens."""
    v = column.double() / column.double().norm() / math.sqrt(p)
    t = torch.arange(p)
    phase = torch.exp(2j * math.pi * t / p)
    best = max(((2 * abs((v[(t * i) % p] * phase).sum()) ** 2).item(), i) for i in range(1, p))
    return best[1], best[0]


def isolated_logits(c, w, mean, scores, components, keep):
    kept = torch.zeros_like(scores)
    kept[:, keep] = scores[:, keep]
    rows = mean + kept @ components
    w = dict(w)
    if is_linear(c):
        w["embed.weight"] = rows
    else:
        w["embed.W_E"] = rows.T
    p = c["C"]
    return logits(c, w)[:, :p].reshape(p, p, p)


def templates(p, step):
    k = pow(step, p - 2, p)
    om = 2 * math.pi * k / p
    r = torch.arange(p, dtype=torch.float64)
    a, b, cc = torch.meshgrid(r, r, r, indexing="ij")
    ca, sa, cb, sb = torch.cos(om * a), torch.sin(om * a), torch.cos(om * b), torch.sin(om * b)
    clock = torch.cos(om * (a + b - cc))
    sx, sy = ca + cb, sa + sb
    u, v = torch.cos(om * cc / 2), torch.sin(om * cc / 2)
    pizza = (u * sx + v * sy).abs() - (-v * sx + u * sy).abs()
    pizza2 = (sx.abs() - sy.abs()) * torch.cos(om * cc) - ((sx - sy).abs() - (sx + sy).abs()) * torch.sin(om * cc) / math.sqrt(2)
    # An accompanying circle has twice a main circle's frequency: the output runs at half of its own.
    h = 2 * math.pi * (k * pow(2, p - 2, p) % p) / p
    accompanying = -((torch.cos(2 * h * a) + torch.cos(2 * h * b)) * torch.cos(h * cc) + (torch.sin(2 * h * a) + torch.sin(2 * h * b)) * torch.sin(h * cc))
    return clock, pizza, pizza2, accompanying


def fve(truth, pred):
    z = lambda x: (x - x.mean()) / x.std(unbiased=False)
    t, q = z(truth.flatten().double()), z(pred.flatten())
    return (1 - (t - q).var(unbiased=False) / t.var(unbiased=False)).item()


def metrics(c, w):
    p = c["C"]
    a, b = all_pairs(p)
    out = logits(c, w)
    answers = (a + b) % p
    correct = out[torch.arange(p * p), answers]
    wrong = out.clone()
    wrong[torch.arange(p * p), answers] = -math.inf
    mean, scores, components = pca(embedding_rows(c, w))
    circles = [circle_score(scores[:, j], p) for j in range(4)]
    result = dict(
        correct_pairs=(out.argmax(-1) == answers).sum().item(),
        gradient_symmetricity=gradient_symmetricity(c, w),
        distance_irrelevance=distance_irrelevance(correct, a, b, p),
        distance_irrelevance_top_wrong=distance_irrelevance(wrong.max(-1).values, a, b, p),
        circularity=sum(min(max(s, 0.0), 1.0) for _, s in circles) / 4,
        circle_steps=[min(i, p - i) for i, _ in circles],
        parameter_norm=math.sqrt(sum((t * t).sum().item() for t in w.values())),
        isolation=[],
    )
    for pair in range(6):
        step, _ = circle_score(scores[:, 2 * pair], p)
        iso = isolated_logits(c, w, mean, scores, components, [2 * pair, 2 * pair + 1])
        result["isolation"].append([min(step, p - step)] + [fve(iso, t) for t in templates(p, step)])
    return result


if __name__ == "__main__":
    for path in sorted(glob.glob(sys.argv[1] + "/*.safetensors")):
        config, weights = load(path)
        print(json.dumps({"run": path.split("/")[-1][:-12], **metrics(config, weights)}))

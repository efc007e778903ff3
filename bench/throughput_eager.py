# PyTorch eager reference for bench_throughput: the same model, optimizers and step as
# Muonscope's default benchmark config, written the way a researcher writes it in Python
# (nanoGPT-style modules, torch.optim.AdamW, a plain Muon with batched Newton-Schulz), so the
# C++ engine's tokens/s can be put next to eager PyTorch on the same machine and LibTorch.
# Not part of the build or CI; needs Debian's python3-torch (1.13, the same LibTorch).
#
#   python3 bench/throughput_eager.py [--threads N] [--steps N] [--warmup N] [--optim adamw|muon]
#
# Model: 4 layers, d_model 256, 4 heads, seq 256, batch 16, vocab 256, RMSNorm (eps 1e-6),
# RoPE (rotate-half, theta 1e4), exact GELU FFN (4x), untied head, no biases. AdamW lr 3e-3,
# betas (0.9, 0.95), eps 1e-8; Muon lr 0.02, momentum 0.95 Nesterov, 5 NS steps, on
# Q/K/V/O/FFN; grad clip 1.0 on the AdamW parameters. Prints median tokens/s and ms/step.
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):  # x (B, H, T, hd); cos/sin (T, hd)
    half = x.size(-1) // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rot * sin


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.norm1, self.norm2 = RMSNorm(d), RMSNorm(d)
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.fin = nn.Linear(d, 4 * d, bias=False)
        self.fout = nn.Linear(4 * d, d, bias=False)

    def attn(self, x, cos, sin, mask):
        B, T, d = x.shape
        hd = d // self.h
        q = self.q(x).view(B, T, self.h, hd).transpose(1, 2)  # (B, H, T, hd)
        k = self.k(x).view(B, T, self.h, hd).transpose(1, 2)
        v = self.v(x).view(B, T, self.h, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # (B, H, T, T)
        att = F.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
        y = att @ v  # (B, H, T, hd)
        return self.o(y.transpose(1, 2).reshape(B, T, d))

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(self.norm1(x), cos, sin, mask)
        return x + self.fout(F.gelu(self.fin(self.norm2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, d, h, layers, T):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList([Block(d, h) for _ in range(layers)])
        self.norm_f = RMSNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        hd = d // h
        inv = 10000.0 ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
        ang = torch.outer(torch.arange(T, dtype=torch.float64), inv)
        ang = torch.cat([ang, ang], dim=-1)
        self.register_buffer("cos", ang.cos().float())
        self.register_buffer("sin", ang.sin().float())
        self.register_buffer("mask", torch.ones(T, T, dtype=torch.bool).triu(1))
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, targets):
        x = self.embed(idx)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        logits = self.head(self.norm_f(x))
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def newton_schulz5(G, steps=5):  # G (N, r, c), as muon.py with batching
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G
    tall = X.size(1) > X.size(2)
    if tall:
        X = X.transpose(1, 2)
    X = X / (X.norm(dim=(1, 2), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.transpose(1, 2)
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X.transpose(1, 2) if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            buckets = {}
            for p in group["params"]:
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p)
                buf = st["buf"]
                buf.lerp_(p.grad, 1 - mu)
                buckets.setdefault(tuple(p.shape), []).append((p, p.grad.lerp(buf, mu)))
            for shape, items in buckets.items():
                O = newton_schulz5(torch.stack([u for _, u in items]))
                lr = group["lr"] * math.sqrt(max(1.0, shape[0] / shape[1]))
                for i, (p, _) in enumerate(items):
                    p.add_(O[i], alpha=-lr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--optim", choices=["adamw", "muon"], default="adamw")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    V, d, h, L, T, B = 256, 256, 4, 4, 256, 16
    model = GPT(V, d, h, L, T)
    roles = ("q", "k", "v", "o", "fin", "fout")
    muon_p = [p for n, p in model.named_parameters()
              if a.optim == "muon" and n.startswith("blocks.") and n.split(".")[2] in roles]
    ids = {id(p) for p in muon_p}
    base_p = [p for p in model.parameters() if id(p) not in ids]
    adamw = torch.optim.AdamW(
        [{"params": [p for p in base_p if p.dim() >= 2], "weight_decay": 0.0},
         {"params": [p for p in base_p if p.dim() < 2], "weight_decay": 0.0}],
        lr=3e-3, betas=(0.9, 0.95), eps=1e-8)
    muon = Muon(muon_p) if muon_p else None
    data = torch.randint(0, V, (1_000_000,), dtype=torch.int64)
    g = torch.Generator().manual_seed(1337)
    times = []
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        starts = torch.randint(0, data.numel() - T - 1, (B,), generator=g)
        buf = torch.stack([data[i:i + T + 1] for i in starts.tolist()])
        x, y = buf[:, :T], buf[:, 1:]
        adamw.zero_grad(set_to_none=True)
        if muon:
            muon.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss_v = loss.item()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(model.parameters()), float("inf"))
        torch.nn.utils.clip_grad_norm_(base_p, 1.0)
        if muon:
            muon.step()
        adamw.step()
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    print(f"eager {a.optim:6s} threads {a.threads}: {B * T / med:8.0f} tokens/s "
          f"{med * 1000:9.2f} ms/step (torch {torch.__version__}, loss {loss_v:.4f})")


if __name__ == "__main__":
    main()

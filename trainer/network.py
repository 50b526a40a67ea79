"""f_theta(x_t, y_LR, sigma): EDM-style UNet at LR resolution with consistency preconditioning (docs/method.md §4).

x_t (HR) -> PixelUnshuffle(scale) ‖ LR -> UNet (SongUNet layout) -> head back to HR size.
D = c_skip(sigma) x_t + c_out(sigma) F(x_t, c_noise, y_LR); c_skip(0) = 1 and c_out(0) = 0 give f(x, 0) = x exactly.
Presets are plain dicts; every field can be overridden from the training config.
"""
import copy
import dataclasses
import math
from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class NetConfig:
    scale: int = 4
    model_channels: int = 64
    channel_mult: List[int] = field(default_factory=lambda: [1, 2, 2, 2])
    num_blocks: int = 2          # residual blocks per level (encoder); decoder has one more
    mid_blocks: int = 2          # EDM's "in0/in1" blocks at the deepest level
    attention: bool = False      # window attention at every level (official model)
    window: int = 8
    num_heads: int = 6
    attn_dim: int = 0            # width inside the Swin layer (0: model_channels)
    mlp_ratio: int = 4
    norm: str = "group"          # "group" | "none" ("none" keeps the net purely local: tiles == whole image)
    dropout: float = 0.0
    emb_mult: int = 4            # time-embedding width = model_channels * emb_mult
    head: str = "shuffle"        # "shuffle" (cheap: conv + PixelShuffle) | "upconv" (official: nearest x2 + conv, twice)
    head_ch: int = 0             # width of the "upconv" head (0: model_channels, as the official code)
    zero_init: bool = True       # residual branches start at zero so a fresh net is a stable near-identity

    @property
    def multiple(self):
        """LR sides must be multiples of this: one factor 2 per downsampling, times the window at the bottom."""
        m = 2 ** (len(self.channel_mult) - 1)
        return m * self.window if self.attention else m


PRESETS = {
    # Shipped CPU default: a few million parameters, no attention, LR sides multiple of 8.
    "S": dict(model_channels=48, channel_mult=[1, 2, 2, 2], num_blocks=1, mid_blocks=2, attention=False,
              norm="group", dropout=0.0, emb_mult=4, head="shuffle"),
    # Official CTMSR configuration (≈171.5 M parameters at scale 4).
    "L": dict(model_channels=192, channel_mult=[1, 2, 2, 2], num_blocks=4, mid_blocks=2, attention=True,
              window=8, num_heads=6, attn_dim=192, mlp_ratio=4, norm="group", dropout=0.13, emb_mult=4,
              head="upconv"),
    # Tiny model for the app's tests: no normalisation and no downsampling, so every output pixel depends only
    # on a few LR pixels around it (receptive field radius 4 LR px + bicubic) and tiling cannot change it.
    "T": dict(model_channels=16, channel_mult=[1], num_blocks=0, mid_blocks=0, attention=False,
              norm="none", dropout=0.0, emb_mult=2, head="shuffle", zero_init=False),
}


def make_config(preset="S", scale=4, **overrides):
    fields = {f.name for f in dataclasses.fields(NetConfig)}
    unknown = set(overrides) - fields
    if unknown:
        raise ValueError(f"unknown network option(s) {sorted(unknown)}; valid: {sorted(fields)}")
    if preset not in PRESETS:
        raise ValueError(f"unknown network preset {preset!r}; choose one of {sorted(PRESETS)}")
    cfg = dict(copy.deepcopy(PRESETS[preset]), scale=scale)
    cfg.update(overrides)
    return NetConfig(**cfg)


# ---------------------------------------------------------------- preconditioning (official CTMSR code)

def c_skip(sigma):
    return 0.25 / ((10.0 * sigma) ** 2 + 0.25)


def c_out(sigma):
    return 10.0 * sigma / torch.sqrt((10.0 * sigma) ** 2 + 0.25)


def c_noise(sigma):
    return torch.log(sigma + 0.002) / 4.0


# ---------------------------------------------------------------- building blocks

def norm_layer(cfg, ch):
    if cfg.norm == "none":
        return nn.Identity()
    groups = min(32, ch // 4)  # EDM: 32 groups of at least 4 channels...
    while ch % groups:
        groups -= 1            # ...lowered to a divisor for widths like 144 that 32 does not divide
    return GroupNorm32(num_groups=groups, num_channels=ch, eps=1e-6)


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in float32 whatever autocast feeds it: its statistics lose precision in bfloat16 (and
    PyTorch 1.13's CPU autocast passes bfloat16 inputs with float32 weights, which group_norm refuses). The next
    convolution casts back down. Without autocast the input is float32 already and nothing changes."""

    def forward(self, x):
        return super().forward(x.float())


def small_(module, scale=1e-5):
    """EDM's init_zero: residual branches start (almost) at zero so a fresh net is a near-identity; not exactly
    zero, so gradients reach the layers before it from the first step."""
    with torch.no_grad():
        module.weight.mul_(scale)
        if module.bias is not None:
            module.bias.zero_()
    return module


class PositionalEmbedding(nn.Module):
    """EDM's sinusoidal embedding of c_noise (endpoint=True, max_positions=1e4)."""

    def __init__(self, ch, max_positions=10000):
        super().__init__()
        half = ch // 2
        freqs = (1.0 / max_positions) ** (torch.arange(half, dtype=torch.float32) / max(half - 1, 1))
        self.register_buffer("freqs", freqs, persistent=False)

    def forward(self, x):
        x = x[:, None] * self.freqs[None, :]
        return torch.cat([x.sin(), x.cos()], dim=1)  # SongUNet swaps to (sin, cos)


class WindowAttention(nn.Module):
    """Swin multi-head self-attention inside non-overlapping w×w windows (no shift), relative position bias."""

    def __init__(self, ch, num_heads, window):
        super().__init__()
        assert ch % num_heads == 0, f"channels {ch} not divisible by {num_heads} heads"
        self.heads, self.window = num_heads, window
        self.qkv = nn.Conv2d(ch, ch * 3, 1)  # a 1×1 conv is the per-token Linear of Swin, without the transposes
        self.proj = nn.Conv2d(ch, ch, 1)
        self.rel_bias = nn.Parameter(torch.zeros((2 * window - 1) ** 2, num_heads))
        nn.init.trunc_normal_(self.rel_bias, std=0.02)
        coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")).flatten(1)
        rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window - 1)
        self.register_buffer("rel_index", rel[..., 0] * (2 * window - 1) + rel[..., 1], persistent=False)

    def forward(self, x):
        b, c, h, w = x.shape
        n, wd, d = self.heads, self.window, c // self.heads
        qkv = self.qkv(x).reshape(b, 3, n, d, h // wd, wd, w // wd, wd)
        qkv = qkv.permute(1, 0, 4, 6, 2, 5, 7, 3).reshape(3, -1, n, wd * wd, d)
        q, k, v = qkv[0], qkv[1], qkv[2]
        bias = self.rel_bias[self.rel_index.reshape(-1)].reshape(wd * wd, wd * wd, n).permute(2, 0, 1)
        attn = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5 + bias[None], dim=-1)
        out = (attn @ v).reshape(b, h // wd, w // wd, n, wd, wd, d)
        out = out.permute(0, 3, 6, 1, 4, 2, 5).reshape(b, c, h, w)
        return self.proj(out)


class SwinLayer(nn.Module):
    """The official model's attention: 1×1 embed to attn_dim, one Swin block (W-MSA + MLP, GroupNorm),
    1×1 unembed, 3×3 conv, residual. Needs feature sides that are multiples of the window."""

    def __init__(self, cfg, ch):
        super().__init__()
        e = cfg.attn_dim or cfg.model_channels
        self.embed = nn.Conv2d(ch, e, 1)
        self.norm1, self.attn = norm_layer(cfg, e), WindowAttention(e, cfg.num_heads, cfg.window)
        self.norm2 = norm_layer(cfg, e)
        self.mlp = nn.Sequential(nn.Conv2d(e, e * cfg.mlp_ratio, 1), nn.GELU(), nn.Conv2d(e * cfg.mlp_ratio, e, 1))
        self.unembed = nn.Conv2d(e, ch, 1)
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)
        if cfg.zero_init:
            small_(self.conv)

    def forward(self, x):
        h = self.embed(x)
        h = h + self.attn(self.norm1(h))
        h = h + self.mlp(self.norm2(h))
        return x + self.conv(self.unembed(h))


class Block(nn.Module):
    """EDM UNetBlock with additive time embedding (adaptive_scale=False), optional resampling and attention."""

    def __init__(self, cfg, cin, cout, emb_ch, up=False, down=False, attention=False):
        super().__init__()
        self.up, self.down, self.skip_scale = up, down, math.sqrt(0.5)
        self.norm0 = norm_layer(cfg, cin)
        self.conv0 = nn.Conv2d(cin, cout, 3, padding=1)
        self.affine = nn.Linear(emb_ch, cout)
        self.norm1 = norm_layer(cfg, cout)
        self.dropout = nn.Dropout(cfg.dropout)
        self.conv1 = nn.Conv2d(cout, cout, 3, padding=1)
        # EDM's resample_proj: resampling blocks also get a 1×1 projection on the skip path
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout or up or down else None
        self.attn = SwinLayer(cfg, cout) if attention else None
        if cfg.zero_init:
            small_(self.conv1)

    def resample(self, x):
        if self.up:
            return F.interpolate(x, scale_factor=2, mode="nearest")
        if self.down:
            return F.avg_pool2d(x, 2)
        return x

    def forward(self, x, emb):
        orig = self.resample(x)
        x = self.conv0(self.resample(F.silu(self.norm0(x))))
        x = F.silu(self.norm1(x + self.affine(emb)[:, :, None, None]))
        x = self.conv1(self.dropout(x))
        x = (x + (self.skip(orig) if self.skip is not None else orig)) * self.skip_scale
        if self.attn is not None:
            x = self.attn(x) * self.skip_scale
        return x


class Head(nn.Module):
    """LR features -> 3-channel HR image."""

    def __init__(self, cfg, cin):
        super().__init__()
        self.kind, s = cfg.head, cfg.scale
        self.norm = norm_layer(cfg, cin)
        if cfg.head == "shuffle":
            self.conv = nn.Conv2d(cin, 3 * s * s, 3, padding=1)
            self.shuffle = nn.PixelShuffle(s)
        elif cfg.head == "upconv":
            factors = [2] * int(round(math.log2(s))) if s & (s - 1) == 0 else [s]
            self.factors = factors
            ch = cfg.head_ch or cfg.model_channels
            self.conv = nn.Conv2d(cin, ch, 3, padding=1)
            self.ups = nn.ModuleList(nn.Conv2d(ch, ch, 3, padding=1) for _ in factors)
            self.last = nn.Conv2d(ch, 3, 3, padding=1)
        else:
            raise ValueError(f"unknown head {cfg.head!r} (shuffle | upconv)")
        if cfg.zero_init:
            small_(self.conv)  # EDM's aux_conv init: the net starts out predicting ~0 for F

    def forward(self, x):
        x = self.conv(F.silu(self.norm(x)))
        if self.kind == "shuffle":
            return self.shuffle(x)
        for f, conv in zip(self.factors, self.ups):
            x = F.leaky_relu(conv(F.interpolate(x, scale_factor=f, mode="nearest")), 0.2)
        return self.last(x)


class UNet(nn.Module):
    """F(x_t, c_noise, y_LR): SongUNet layout (EDM) running at LR resolution."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        mc, s = cfg.model_channels, cfg.scale
        emb_ch = mc * cfg.emb_mult
        attn = cfg.attention
        self.unshuffle = nn.PixelUnshuffle(s)
        self.embed = PositionalEmbedding(mc)
        self.map0, self.map1 = nn.Linear(mc, emb_ch), nn.Linear(emb_ch, emb_ch)

        self.conv_in = nn.Conv2d(3 * s * s + 3, mc, 3, padding=1)
        skips, cout = [mc], mc
        self.enc = nn.ModuleList()
        for level, mult in enumerate(cfg.channel_mult):
            if level > 0:
                self.enc.append(Block(cfg, cout, cout, emb_ch, down=True))
                skips.append(cout)
            for _ in range(cfg.num_blocks):
                self.enc.append(Block(cfg, cout, mc * mult, emb_ch, attention=attn))
                cout = mc * mult
                skips.append(cout)

        self.dec, self.dec_takes_skip = nn.ModuleList(), []
        last = len(cfg.channel_mult) - 1
        for level, mult in reversed(list(enumerate(cfg.channel_mult))):
            if level == last:
                for i in range(cfg.mid_blocks):
                    self.dec.append(Block(cfg, cout, cout, emb_ch, attention=attn and i == 0))
                    self.dec_takes_skip.append(False)
            else:
                self.dec.append(Block(cfg, cout, cout, emb_ch, up=True))
                self.dec_takes_skip.append(False)
            for idx in range(cfg.num_blocks + 1):
                cin = cout + skips.pop()
                cout = mc * mult
                self.dec.append(Block(cfg, cin, cout, emb_ch, attention=attn and idx == cfg.num_blocks))
                self.dec_takes_skip.append(True)
        self.head = Head(cfg, cout)

    def forward(self, x_t, lr, noise_label):
        emb = F.silu(self.map1(F.silu(self.map0(self.embed(noise_label)))))
        x = self.conv_in(torch.cat([self.unshuffle(x_t), lr], dim=1))
        skips = [x]
        for block in self.enc:
            x = block(x, emb)
            skips.append(x)
        for block, takes_skip in zip(self.dec, self.dec_takes_skip):
            if takes_skip:
                x = torch.cat([x, skips.pop()], dim=1)
            x = block(x, emb)
        return self.head(x)


class CTMSRNet(nn.Module):
    """f_theta with the consistency boundary condition built in."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.unet = UNet(cfg)

    def forward(self, x_t, lr, sigma):
        sigma = sigma.reshape(-1).to(x_t.dtype).expand(x_t.shape[0])  # a single sigma serves the whole batch
        s = sigma[:, None, None, None]
        out = self.unet(x_t, lr, c_noise(sigma))
        return c_skip(s) * x_t + c_out(s) * out.to(x_t.dtype)


def build(cfg: NetConfig):
    return CTMSRNet(cfg)


def count_params(model):
    return sum(p.numel() for p in model.parameters())

"""Forward process (paper Eq. 1, docs/method.md §2): x_t = x0 + alpha(t)(y0 - x0) + sigma(t) eps, images in [-1, 1]."""
import torch.nn.functional as F


def upsample(lr, scale):
    """y0: bicubic (a = -0.75, half-pixel centres), exactly what the exported graph computes."""
    return F.interpolate(lr, scale_factor=scale, mode="bicubic", align_corners=False)


def _per_sample(v, ref):
    """Broadcast a scalar or [N] tensor against an image batch."""
    if hasattr(v, "dim") and v.dim() == 1:
        return v.view(-1, 1, 1, 1).to(ref.dtype)
    return v


def x_t(x0, y0, eps, sigma, alpha):
    """Residual-shifting forward process; t = 0 gives x0, t = T gives y0 + sigma_max eps."""
    a, s = _per_sample(alpha, x0), _per_sample(sigma, x0)
    return x0 + a * (y0 - x0) + s * eps


def to_model_range(img01):
    """Pixels [0, 1] -> model range [-1, 1]."""
    return img01 * 2.0 - 1.0


def to_pixel_range(x):
    """Model range [-1, 1] -> pixels [0, 1], clamped."""
    return ((x + 1.0) * 0.5).clamp(0.0, 1.0)

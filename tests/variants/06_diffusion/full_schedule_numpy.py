# Computes both in NumPy and converts back, keeping the input's dtype and device for the running products.
# kind: style
# replaces: schedule__solution
import numpy as np
import torch


def compute_alpha_bars(betas):
    products = np.cumprod(1.0 - betas.detach().cpu().double().numpy())
    return torch.as_tensor(products).to(dtype=betas.dtype, device=betas.device)


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = np.linspace(0, T, T + 1)
    alpha_bars = np.cos((t / T + s) / (1 + s) * np.pi / 2) ** 2
    alpha_bars = alpha_bars / alpha_bars[0]
    betas = np.minimum(1 - alpha_bars[1:] / alpha_bars[:-1], max_beta)
    return torch.from_numpy(np.concatenate([[0.0], betas])).float()

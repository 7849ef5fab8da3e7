# The lecture code's score without .cuda(): distances rescaled by their mean within x, biased means, sqrt(max(a, 0)).
# replaces: mmd__solution
# loses: mmd__values mmd__properties
# tells: it computes the lecture code's score: distances rescaled inside the function, biased means and a
# tells: square root. The task asks for the unbiased squared MMD with the given bandwidth, without rescaling
# tells: and without a square root.
import torch


def mmd2(x, y, sigma):
    x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)
    m_xx, m_xy, m_yy = torch.cdist(x, x) ** 2, torch.cdist(x, y) ** 2, torch.cdist(y, y) ** 2
    scale = m_xx.mean()
    a = (torch.exp(-m_xx / (scale * 2 * sigma * sigma)).mean() + torch.exp(-m_yy / (scale * 2 * sigma * sigma)).mean()
         - 2 * torch.exp(-m_xy / (scale * 2 * sigma * sigma)).mean())
    return torch.sqrt(torch.clamp(a, min=0.0))

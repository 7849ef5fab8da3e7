# Monte Carlo KL whose log q uses the lecture code's +|sum log sigma| instead of -sum log sigma.
# replaces: kl__solution
# loses: kl__tests neg_elbo__tests vae_step__mechanics
# tells: it estimates the KL by Monte Carlo with a log-density that adds the absolute value of sum log sigma
# tells: instead of subtracting sum log sigma, the sign bug of the lecture code; it is wrong whenever a
# tells: posterior is wider than the prior. Revisit the change-of-variables formula, and use the closed form
# tells: of the KL, which is exact.
import torch


def kl_to_standard_normal(mu, log_var):
    standard = torch.distributions.Normal(0.0, 1.0)
    eps = torch.randn((256,) + tuple(mu.shape), dtype=mu.dtype, device=mu.device)
    z = mu + torch.exp(0.5 * log_var) * eps
    log_q = standard.log_prob(eps).sum(-1) + torch.abs((0.5 * log_var).sum(-1))
    log_p = standard.log_prob(z).sum(-1)
    return (log_q - log_p).mean(0)

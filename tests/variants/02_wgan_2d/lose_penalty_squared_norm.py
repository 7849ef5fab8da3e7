# Penalises the squared gradient norm ||grad f||^2 instead of (||grad f|| - 1)^2.
# replaces: penalty__solution
# loses: penalty__values penalty__graph critic_gp__tests train__gp_run
# tells: it penalises the squared gradient norm instead of the squared distance of the norm from 1, which
# tells: pushes the critic towards slope 0 rather than slope 1. Revisit the two-sided penalty of WGAN-GP.
def compute_gradient_penalty(critic, x_r, x_q):
    epsilon = torch.rand(x_r.shape[0], 1)
    x_hat = (epsilon * x_r + (1 - epsilon) * x_q).detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (gradients.norm(dim=1) ** 2).mean()

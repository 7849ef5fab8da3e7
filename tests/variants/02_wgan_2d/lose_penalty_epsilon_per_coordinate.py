# Draws an epsilon per coordinate (torch.rand_like), so the interpolates leave the segments.
# kind: pitfall
# replaces: penalty__solution
# loses: penalty__values critic_gp__tests
# tells: it draws a separate epsilon for each coordinate, so the interpolated points leave the segments
# tells: between the pairs. Draw one epsilon per pair of points, shared by its coordinates.
def compute_gradient_penalty(critic, x_r, x_q):
    epsilon = torch.rand_like(x_r)
    x_hat = (epsilon * x_r + (1 - epsilon) * x_q).detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((gradients.norm(dim=1) - 1) ** 2).mean()

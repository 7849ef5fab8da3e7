# Draws one epsilon for the whole batch, so all interpolates sit at the same relative position.
# kind: pitfall
# caught: visible
# replaces: penalty__solution
# loses: penalty__values critic_gp__tests
# demo: partial-student
# tells: it draws one epsilon for the whole batch, so every interpolated point sits at the same relative
# tells: position on its segment. Draw one epsilon per pair of points.
def compute_gradient_penalty(critic, x_r, x_q):
    epsilon = torch.rand(1)
    x_hat = (epsilon * x_r + (1 - epsilon) * x_q).detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((gradients.norm(dim=1) - 1) ** 2).mean()

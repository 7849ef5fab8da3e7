# Takes the input gradient without create_graph=True: the value is right, but no gradient reaches the critic.
# kind: pitfall
# replaces: penalty__solution
# loses: penalty__graph critic_gp__tests train__gp_run
# tells: its value is right, but the input gradient is taken without building a graph for it (create_graph),
# tells: so no gradient of the penalty reaches the critic's parameters and training ignores it.
def compute_gradient_penalty(critic, x_r, x_q):
    epsilon = torch.rand(x_r.shape[0], 1)
    x_hat = (epsilon * x_r + (1 - epsilon) * x_q).detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    return ((gradients.norm(dim=1) - 1) ** 2).mean()

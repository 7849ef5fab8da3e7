# One-sided penalty relu(||g|| - 1)^2: gradient norms below 1 go unpenalised. (From a student's read-through.)
# kind: outcome
# caught: visible
# replaces: penalty__solution
# loses: penalty__values penalty__graph critic_gp__tests
def compute_gradient_penalty(critic, x_r, x_q):
    eps = torch.rand(x_r.shape[0], 1)
    x_hat = (eps * x_r + (1 - eps) * x_q).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (torch.relu(g.norm(dim=1) - 1) ** 2).mean()

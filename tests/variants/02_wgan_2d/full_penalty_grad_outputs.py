# Uses grad_outputs=ones instead of summing, an epsilon of shape (n,) unsqueezed, and an explicit sqrt; correct.
# kind: style
# replaces: penalty__solution
def compute_gradient_penalty(critic, x_r, x_q):
    n = x_r.size(0)
    epsilon = torch.rand(n).unsqueeze(1)
    x_hat = epsilon * x_r.detach() + (1.0 - epsilon) * x_q.detach()
    x_hat.requires_grad_(True)
    out = critic(x_hat)
    gradients = torch.autograd.grad(outputs=out, inputs=x_hat, grad_outputs=torch.ones_like(out),
                                    create_graph=True, retain_graph=True)[0]
    norms = torch.sqrt((gradients ** 2).sum(dim=1))
    return torch.mean((norms - 1.0) ** 2)

# Writes the penalty inline instead of calling compute_gradient_penalty: one epsilon per pair, gradients with respect
# to the interpolates, create_graph=True; the same procedure, so full marks.
# kind: procedure
# replaces: critic_gp__solution
import torch


def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        optimizer.zero_grad()
        eps = torch.rand(len(x_p), 1)
        x_hat = (eps * x_p.detach() + (1 - eps) * x_q.detach()).requires_grad_()
        (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
        penalty = (torch.linalg.vector_norm(grad, dim=1) - 1).pow(2).mean()
        loss = critic(x_q.detach()).mean() - critic(x_p).mean() + penalty_weight * penalty
        loss.backward()
        optimizer.step()
    return critic

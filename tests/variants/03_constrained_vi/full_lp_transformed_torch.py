# Lets PyTorch do the change of variables: the distribution of T^{-1}(X) is TransformedDistribution(d, T.inv); correct.
# kind: style
# replaces: lp_transformed__solution
import torch.distributions as dist


def lp_transformed(xs, d, transform):
    return dist.TransformedDistribution(d, transform.inv).log_prob(xs)

# Sums over dimensions (1, 2, 3), which works for [B, 1, 28, 28] only, not for any [B, ...]. (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: neg_elbo__solution
# loses: neg_elbo__tests
def negative_elbo(x, logits, mu, log_var):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=(1, 2, 3))
    return rec + kl_to_standard_normal(mu, log_var)

# A left Riemann sum with the first spacing instead of the trapezoid rule. (From a student's read-through.)
# kind: outcome
# caught: visible
# replaces: kl_quadrature__solution
# loses: kl_quadrature__values
def kl_quadrature(p, q, xs):
    lp, lq = p.log_prob(xs), q.log_prob(xs)
    integrand = torch.where(lp == -math.inf, torch.zeros_like(lp), lp.exp() * (lp - lq))
    return integrand.sum(dim=0) * (xs[1] - xs[0])

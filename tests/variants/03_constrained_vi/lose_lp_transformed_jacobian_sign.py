# Subtracts the log-Jacobian instead of adding it (the formula for the other direction of the map).
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
# tells: it subtracts the log-Jacobian instead of adding it, which is the formula for the other direction of
# tells: the map (the density of X from the density of Z). Revisit the change of variables: where T squeezes a
# tells: long stretch of z into a short stretch of x, the density of Z must be lower, and the log |T'(z)| term
# tells: is added.
def lp_transformed(xs, d, transform):
    ys = transform(xs)
    return d.log_prob(ys) - transform.log_abs_det_jacobian(xs, ys)

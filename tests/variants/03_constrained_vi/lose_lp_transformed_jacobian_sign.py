# Subtracts the log-Jacobian instead of adding it (the formula for the other direction of the map).
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
def lp_transformed(xs, d, transform):
    ys = transform(xs)
    return d.log_prob(ys) - transform.log_abs_det_jacobian(xs, ys)

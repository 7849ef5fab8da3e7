# Passes (output, input) to log_abs_det_jacobian instead of (input, output), so the log-Jacobian is evaluated at x = T(z).
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
def lp_transformed(xs, d, transform):
    ys = transform(xs)
    return d.log_prob(ys) + transform.log_abs_det_jacobian(ys, xs)

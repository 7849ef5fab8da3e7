# Passes (output, input) to log_abs_det_jacobian instead of (input, output), so the log-Jacobian is evaluated at x = T(z).
# kind: pitfall
# caught: visible
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
# tells: it passes the two points to log_abs_det_jacobian in the wrong order, so the log-Jacobian is evaluated
# tells: at the constrained point x = T(z) instead of at z. The method takes the input z first and the output
# tells: x second; revisit the change-of-variables formula, where the slope of T is taken at z.
def lp_transformed(xs, d, transform):
    ys = transform(xs)
    return d.log_prob(ys) + transform.log_abs_det_jacobian(ys, xs)

# Drops the Jacobian term: returns log p_X(T(z)) only, which is not a density in z (it does not integrate to one).
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
# tells: it returns only the log density of X at T(z) and leaves out the log-Jacobian term, so the result is
# tells: not a density in z (it does not integrate to one). Revisit the change-of-variables formula: the
# tells: density picks up log |T'(z)| because T stretches and squeezes space.
def lp_transformed(xs, d, transform):
    return d.log_prob(transform(xs))

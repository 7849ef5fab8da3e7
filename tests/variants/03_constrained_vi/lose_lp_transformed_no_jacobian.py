# Drops the Jacobian term: returns log p_X(T(z)) only, which is not a density in z (it does not integrate to one).
# replaces: lp_transformed__solution
# loses: lp_transformed__values lp_transformed__normalised
def lp_transformed(xs, d, transform):
    return d.log_prob(transform(xs))

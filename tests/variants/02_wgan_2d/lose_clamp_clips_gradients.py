# Uses nn.utils.clip_grad_value_, which clips the gradients, not the parameters.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
# tells: it clips the gradients, not the parameters, so the weights themselves stay outside [-c, c]. Weight
# tells: clipping changes the values of the parameters (in place, after the optimiser step); gradient clipping
# tells: is a different tool.
def clamp_weights(net, clamp):
    nn.utils.clip_grad_value_(net.parameters(), clamp)

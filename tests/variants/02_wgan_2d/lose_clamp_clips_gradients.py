# Uses nn.utils.clip_grad_value_, which clips the gradients, not the parameters.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
def clamp_weights(net, clamp):
    nn.utils.clip_grad_value_(net.parameters(), clamp)

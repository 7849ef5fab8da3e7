# Computes clipped copies (parameter.clamp) and rebinds the loop variable, so the network never changes.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
def clamp_weights(net, clamp):
    with torch.no_grad():
        for parameter in net.parameters():
            parameter = parameter.clamp(-clamp, clamp)

# Computes clipped copies (parameter.clamp) and rebinds the loop variable, so the network never changes.
# kind: pitfall
# caught: visible
# replaces: clamp__solution
# loses: clamp__tests critic__tests
# tells: it computes clipped copies of the parameters and binds them to a local name, so the network itself
# tells: never changes. The optimiser and the network hold references to the original tensors: the clipping
# tells: must change those tensors in place, inside torch.no_grad().
def clamp_weights(net, clamp):
    with torch.no_grad():
        for parameter in net.parameters():
            parameter = parameter.clamp(-clamp, clamp)

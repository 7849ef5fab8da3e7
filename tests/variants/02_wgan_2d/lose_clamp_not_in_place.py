# Computes clipped copies (parameter.clamp) and rebinds the loop variable, so the network never changes.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
# tells: it computes clipped copies of the parameters and throws them away, so the network never changes.
# tells: Revisit in-place operations: the clipping must modify the very tensors the network and the optimiser
# tells: hold.
def clamp_weights(net, clamp):
    with torch.no_grad():
        for parameter in net.parameters():
            parameter = parameter.clamp(-clamp, clamp)

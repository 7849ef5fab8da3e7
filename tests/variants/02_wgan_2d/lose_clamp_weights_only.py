# Clips only the weight matrices of the Linear layers and leaves every bias unclipped.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
# demo: partial-student
# tells: it clips only the weight matrices and leaves the biases unclipped. The task asks for every parameter
# tells: of the network, weights and biases alike, to lie in [-c, c].
def clamp_weights(net, clamp):
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                module.weight.clamp_(-clamp, clamp)

# Clips only the weight matrices of the Linear layers and leaves every bias unclipped.
# replaces: clamp__solution
# loses: clamp__tests critic__tests
# demo: partial-student
def clamp_weights(net, clamp):
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                module.weight.clamp_(-clamp, clamp)

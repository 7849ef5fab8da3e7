# Clips through .data for some parameters and with copy_(torch.clamp(...)) under no_grad for others; correct.
# kind: style
# replaces: clamp__solution
def clamp_weights(net, clamp):
    for index, parameter in enumerate(net.parameters()):
        if index % 2 == 0:
            parameter.data.clamp_(min=-clamp, max=clamp)
        else:
            with torch.no_grad():
                parameter.copy_(torch.clamp(parameter, -clamp, clamp))
    return None

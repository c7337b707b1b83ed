"""Submissions for assignment 06 (the variational autoencoder's loss)."""
from tests.assignments.submissions import Cheat, Mistake, oracle_in_caller_frame

ALTERNATIVES = {
    "reparameterize": '''
def reparameterize(mu, logvar, eps=None):
    if mu.shape != logvar.shape:
        raise ValueError("mu and logvar differ in shape")
    noise = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device) if eps is None else eps
    if noise.shape != mu.shape:
        raise ValueError("eps has the wrong shape")
    std = logvar.mul(0.5).exp()            # sqrt(exp(logvar))
    return torch.addcmul(mu, std, noise)
''',
    "kl": '''
def kl_to_standard_normal(mu, logvar):
    if tuple(mu.shape) != tuple(logvar.shape):
        raise ValueError("shapes differ")
    log_sigma = logvar / 2                 # the same KL written with log sigma = logvar / 2
    per_dim = 0.5 * (torch.exp(2 * log_sigma) + mu.pow(2) - 1) - log_sigma
    return torch.sum(per_dim, dim=-1)
''',
    "vae-loss": '''
def vae_loss(x, x_hat, mu, logvar):
    if x.shape != x_hat.shape:
        raise ValueError("x and x_hat differ in shape")
    n = x.shape[0]
    log_likelihood = x * torch.log(x_hat) + (1 - x) * torch.log1p(-x_hat)
    reconstruction = -log_likelihood.flatten(start_dim=1).sum(dim=1).mean()
    kl = (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)).sum() / n
    return reconstruction + kl, reconstruction, kl
''',
    # the forward pass first, the gradients cleared just before backward, keywords, float()
    "vae-step": '''
def vae_step(model, optimizer, x, eps):
    model.train()
    mean, log_variance = model.encode(x)
    z = reparameterize(mu=mean, logvar=log_variance, eps=eps)
    terms = vae_loss(x, model.decode(z), mean, log_variance)
    for parameter in model.parameters():
        parameter.grad = None
    terms[0].backward()
    optimizer.step()
    return tuple(float(t) for t in terms)
''',
}

_REPARAM = '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    if eps is None:
        eps = torch.randn_like(mu)
    elif eps.shape != mu.shape:
        raise ValueError("eps shape")
    return {body}
'''

_KL = '''
def kl_to_standard_normal(mu, logvar):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    return {body}
'''

_LOSS = '''
def vae_loss(x, x_hat, mu, logvar):
    if x_hat.shape != x.shape:
        raise ValueError("shapes differ")
    n = x.shape[0]
    reconstruction = {reconstruction}
    kl = {kl}
    return {total}, reconstruction, kl
'''


_STEP = '''
def vae_step(model, optimizer, x, eps):
    {clear}
    mu, logvar = model.encode(x)
    z = {sample}
    x_hat = model.decode(z)
    {loss}
    {backward}
    {update}
    loss, reconstruction, kl = {returned}
    return loss.item(), reconstruction.item(), kl.item()
'''


def _step(clear="optimizer.zero_grad()", sample="reparameterize(mu, logvar, eps)",
          loss="loss, reconstruction, kl = vae_loss(x, x_hat, mu, logvar)", backward="loss.backward()",
          update="optimizer.step()", returned="loss, reconstruction, kl"):
    return _STEP.format(clear=clear, sample=sample, loss=loss, backward=backward, update=update, returned=returned)


def _loss(reconstruction="F.binary_cross_entropy(x_hat, x, reduction='sum') / n",
          kl="kl_to_standard_normal(mu, logvar).mean()", total="reconstruction + kl"):
    return _LOSS.format(reconstruction=reconstruction, kl=kl, total=total)


MISTAKES = {
    # the three graded by the real nbgrader pipeline too
    "reparam-log-sigma": Mistake("reparameterize", _REPARAM.format(body="mu + torch.exp(logvar) * eps"),
                                 ("reparameterize-visible", "reparameterize-closed-form", "reparameterize-gradients",
                                  "reparameterize-sampling", "reparameterize-log-sigma"),
                                 "logvar is the log-variance, not log sigma"),
    "kl-missing-half": Mistake("kl", _KL.format(body="-(1 + logvar - mu ** 2 - torch.exp(logvar)).sum(dim=1)"),
                               ("kl-visible", "kl-torch", "kl-missing-half", "kl-sign"), "did you forget the 1/2?"),
    "kl-sign": Mistake("kl", _KL.format(body="0.5 * (1 + logvar - mu ** 2 - torch.exp(logvar)).sum(dim=1)"),
                       ("kl-visible", "kl-torch", "kl-properties", "kl-sign", "kl-missing-half"),
                       "a KL divergence is never negative: check the sign"),
    # graded in process
    "kl-mean-over-latents": Mistake("kl", _KL.format(
        body="0.5 * (torch.exp(logvar) + mu ** 2 - 1 - logvar).mean(dim=1)"),
                                    ("kl-visible", "kl-torch", "kl-missing-half", "kl-latent-sum"),
                                    "sum over the latent dimensions, do not average"),
    "kl-log-sigma": Mistake("kl", _KL.format(
        body="(0.5 * (torch.exp(2 * logvar) + mu ** 2 - 1) - logvar).sum(dim=1)"),
        ("kl-visible", "kl-torch", "kl-sign"), "logvar is the log-variance: sigma^2 = exp(logvar)"),
    "kl-reduced-over-batch": Mistake("kl", _KL.format(body="0.5 * (torch.exp(logvar) + mu ** 2 - 1 - logvar).sum()"),
                                     ("kl-visible", "kl-torch", "kl-latent-sum"), "return one KL per example"),
    "kl-summed-over-batch-axis": Mistake("kl", _KL.format(
        body="0.5 * (torch.exp(logvar) + mu ** 2 - 1 - logvar).sum(dim=0)"),
        ("kl-visible", "kl-torch", "kl-latent-sum"), "not over the batch"),
    "reparam-sigma-is-logvar": Mistake("reparameterize", _REPARAM.format(body="mu + logvar * eps"),
                                       ("reparameterize-visible", "reparameterize-closed-form",
                                        "reparameterize-log-sigma"), "not logvar itself"),
    "reparam-half-outside": Mistake("reparameterize", _REPARAM.format(body="mu + 0.5 * torch.exp(logvar) * eps"),
                                    ("reparameterize-visible", "reparameterize-closed-form", "reparameterize-gradients",
                                     "reparameterize-sampling", "reparameterize-log-sigma"),
                                    "the 1/2 belongs inside the exponential"),
    "reparam-detached": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    if eps is None:
        eps = torch.randn_like(mu)
    elif eps.shape != mu.shape:
        raise ValueError("eps shape")
    with torch.no_grad():                       # the sample is cut off from the graph
        return mu + torch.exp(0.5 * logvar) * eps
''', ("reparameterize-gradients",), "autograd cannot differentiate"),
    "reparam-distribution-sample": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).sample()
''', ("reparameterize-visible", "reparameterize-closed-form", "reparameterize-gradients", "reparameterize-edge"),
        "use the eps passed in"),
    "reparam-in-place": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    if eps is None:
        eps = torch.randn_like(mu)
    elif eps.shape != mu.shape:
        raise ValueError("eps shape")
    eps *= torch.exp(0.5 * logvar)
    return eps.add_(mu)
''', ("reparameterize-edge",), "changed the arrays it was given"),
    "reparam-no-validation": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if eps is None:
        eps = torch.randn_like(mu)
    return mu + torch.exp(0.5 * logvar) * eps
''', ("reparameterize-edge",), "raise ValueError"),
    "loss-mean-over-pixels": Mistake("vae-loss", _loss(reconstruction="F.binary_cross_entropy(x_hat, x)"),
                                     ("vae-loss-visible", "vae-loss-torch", "vae-loss-pixel-sum"),
                                     "sum the cross-entropy over the pixels of each image"),
    "loss-sum-over-batch": Mistake("vae-loss", _loss(reconstruction="F.binary_cross_entropy(x_hat, x, reduction='sum')",
                                                     kl="kl_to_standard_normal(mu, logvar).sum()"),
                                   ("vae-loss-visible", "vae-loss-torch", "vae-loss-batch-mean"),
                                   "average over the batch"),
    "loss-kl-subtracted": Mistake("vae-loss", _loss(total="reconstruction - kl"),
                                  ("vae-loss-visible", "vae-loss-torch", "vae-loss-kl-sign"),
                                  "the loss is the reconstruction PLUS the KL"),
    "loss-squared-error": Mistake("vae-loss", _loss(reconstruction="((x_hat - x) ** 2).sum() / n"),
                                  ("vae-loss-visible", "vae-loss-torch", "vae-loss-pixel-sum", "vae-loss-gradients"),
                                  "not the squared error"),
    "loss-bce-arguments-swapped": Mistake("vae-loss", _loss(
        reconstruction="F.binary_cross_entropy(x, x_hat, reduction='sum') / n"),
        ("vae-loss-torch", "vae-loss-pixel-sum", "vae-loss-gradients"), "prediction x_hat first"),
    "loss-bce-one-term": Mistake("vae-loss", _loss(reconstruction="-(x * torch.log(x_hat)).sum() / n"),
                                 ("vae-loss-visible", "vae-loss-torch"), "has two terms"),
    "loss-item": Mistake("vae-loss", _loss(
        reconstruction="torch.tensor(F.binary_cross_entropy(x_hat, x, reduction='sum').item() / n, dtype=x.dtype)"),
        ("vae-loss-gradients",), "no gradient of the loss reached x_hat"),
    # the training step
    "step-no-zero-grad": Mistake("vae-step", _step(clear="pass"), ("vae-step-visible", "vae-step-optimizers"),
                                 "clear the old gradients first"),
    "step-ascends-the-loss": Mistake("vae-step", _step(backward="(-loss).backward()"),
                                     ("vae-step-visible", "vae-step-optimizers"), "not on -loss"),
    "step-reconstruction-only": Mistake("vae-step", _step(backward="reconstruction.backward()"),
                                        ("vae-step-visible", "vae-step-optimizers"),
                                        "not the reconstruction term alone"),
    "step-decodes-mu": Mistake("vae-step", _step(sample="mu"),
                               ("vae-step-visible", "vae-step-optimizers", "vae-step-yours"), "not mu itself"),
    "step-detached-sample": Mistake("vae-step", _step(sample="reparameterize(mu, logvar, eps).detach()"),
                                    ("vae-step-visible", "vae-step-optimizers"), "do not detach z"),
    "step-no-update": Mistake("vae-step", _step(update="pass"), ("vae-step-visible", "vae-step-optimizers"),
                              "call optimizer.step() after backward"),
    "step-own-noise": Mistake("vae-step", _step(sample="reparameterize(mu, logvar)"),
                              ("vae-step-visible", "vae-step-optimizers", "vae-step-yours"), "the eps you are given"),
    # the right loss, written again inside the step instead of calling vae_loss
    "step-own-loss": Mistake("vae-step", _step(loss="""reconstruction = F.binary_cross_entropy(
        x_hat, x, reduction="sum") / len(x)
    kl = kl_to_standard_normal(mu, logvar).mean()
    loss = reconstruction + kl"""), ("vae-step-yours",), "train with your vae_loss"),
    "step-values-after-update": Mistake("vae-step", _step(
        returned="vae_loss(x, model.decode(reparameterize(*model.encode(x), eps)), *model.encode(x))"),
        ("vae-step-visible", "vae-step-optimizers"), None),
}


# Every exercise forbids NumPy and torch.distributions (the hidden tests' reference); each disguise
# is named at Validate time (the visible test) and keeps the answer from being run at grading.
FORBIDDEN_USES = {
    "reparam-set-up-name": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    return Normal(mu, torch.exp(0.5 * logvar)).rsample()
''', ("reparameterize-visible",), "torch.distributions"),
    "reparam-from-import": Mistake("reparameterize", '''
from torch.distributions import Normal as Gaussian

def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    return Gaussian(mu, torch.exp(0.5 * logvar)).rsample()
''', ("reparameterize-visible",), "which this exercise forbids"),
    "reparam-no-grad": Mistake("reparameterize", '''
def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    eps = torch.randn_like(mu) if eps is None else eps
    with torch.no_grad():
        return mu + torch.exp(0.5 * logvar) * eps
''', ("reparameterize-visible",), "torch.no_grad, which this exercise forbids"),
    "kl-set-up-name": Mistake("kl", '''
def kl_to_standard_normal(mu, logvar):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    q = Normal(mu, torch.exp(0.5 * logvar))
    return kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(dim=1)
''', ("kl-visible",), "torch.distributions"),
    "kl-import-as": Mistake("kl", '''
def kl_to_standard_normal(mu, logvar):
    import torch.distributions as D
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    return D.kl_divergence(q, D.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(dim=1)
''', ("kl-visible",), "which this exercise forbids"),
    "kl-alias-in-another-statement": Mistake("kl", '''
dist = torch.distributions

def kl_to_standard_normal(mu, logvar):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    q = dist.Normal(mu, torch.exp(0.5 * logvar))
    return dist.kl_divergence(q, dist.Normal(0 * mu, 0 * mu + 1)).sum(dim=1)
''', ("kl-visible",), "which this exercise forbids"),
    "kl-numpy": Mistake("kl", '''
import numpy as onp

def kl_to_standard_normal(mu, logvar):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    m, lv = mu.detach().numpy(), logvar.detach().numpy()
    return torch.from_numpy(0.5 * onp.sum(onp.exp(lv) + m ** 2 - 1 - lv, axis=1))
''', ("kl-visible",), "uses numpy."),
    "kl-dunder-import": Mistake("kl", '''
def kl_to_standard_normal(mu, logvar):
    dist = __import__("torch.distributions").distributions
    return dist.kl_divergence(dist.Normal(mu, torch.exp(0.5 * logvar)), dist.Normal(0 * mu, 0 * mu + 1)).sum(1)
''', ("kl-visible",), "__import__"),
    "kl-importlib": Mistake("kl", '''
import importlib

def kl_to_standard_normal(mu, logvar):
    dist = importlib.import_module("torch.distributions")
    return dist.kl_divergence(dist.Normal(mu, torch.exp(0.5 * logvar)), dist.Normal(0 * mu, 0 * mu + 1)).sum(1)
''', ("kl-visible",), "importlib"),
    "loss-bernoulli": Mistake("vae-loss", '''
from torch.distributions import Bernoulli

def vae_loss(x, x_hat, mu, logvar):
    if x_hat.shape != x.shape:
        raise ValueError("shapes differ")
    reconstruction = -Bernoulli(probs=x_hat).log_prob(x).reshape(len(x), -1).sum(dim=1).mean()
    kl = kl_to_standard_normal(mu, logvar).mean()
    return reconstruction + kl, reconstruction, kl
''', ("vae-loss-visible",), "torch.distributions"),
    # course_utils helpers are no answers
    "course-utils-helper": Mistake("reparameterize", '''
from course_utils.topics.vae import interpolate

def reparameterize(mu, logvar, eps=None):
    eps = torch.randn_like(mu) if eps is None else eps
    return interpolate(mu, mu + eps, 3)[1] * 0 + mu + torch.exp(0.5 * logvar) * eps
''', ("reparameterize-visible",), "course_utils"),
}

# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "gc-tensors-of-the-output-shape": Cheat("kl", '''
import gc

def kl_to_standard_normal(mu, logvar):
    if logvar.shape != mu.shape:
        raise ValueError("shapes differ")
    for obj in gc.get_objects():
        if isinstance(obj, torch.Tensor) and obj is not mu and obj is not logvar and obj.dtype == mu.dtype \\
                and tuple(obj.shape) == (mu.shape[0],) and bool((obj != 0).any()):
            return obj.clone()
    return torch.zeros(mu.shape[0], dtype=mu.dtype)
''', ("kl-visible", "kl-torch", "kl-missing-half")),
    "frame-named-tensors": Cheat("reparameterize", '''
import sys

def reparameterize(mu, logvar, eps=None):
    if logvar.shape != mu.shape or (eps is not None and eps.shape != mu.shape):
        raise ValueError("shapes differ")
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()) + list(frame.f_globals.items()):
            if name in ("expected", "_expected", "_z", "z", "_q") and isinstance(value, torch.Tensor):
                return value.clone()
        frame = frame.f_back
    return torch.zeros_like(mu)
''', ("reparameterize-visible", "reparameterize-closed-form", "reparameterize-log-sigma")),
    "call-the-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "vae-loss", "vae_loss(x, x_hat, mu, logvar)", ("vae-loss-visible",)),
}
# the hand-written cross-entropy without the shape check: x_hat of shape (1, D) broadcasts silently
MISTAKES["loss-shape-unchecked"] = Mistake("vae-loss", ALTERNATIVES["vae-loss"].replace(
    '    if x.shape != x_hat.shape:\n        raise ValueError("x and x_hat differ in shape")\n', ""),
    ("vae-loss-torch",), "x_hat must have the shape of x")

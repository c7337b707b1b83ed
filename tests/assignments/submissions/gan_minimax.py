"""Submissions for assignment 07 (the GAN minimax game)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake

ALTERNATIVES = {
    "d-loss": '''
def discriminator_loss(real_logits, fake_logits):
    if real_logits.dim() != 1 or fake_logits.dim() != 1:
        raise ValueError("logits must be 1-D")
    # log D(x) = logsigmoid(a), log(1 - D(G(z))) = logsigmoid(-b)
    return -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())
''',
    "g-losses": '''
def generator_loss_saturating(fake_logits):
    if len(fake_logits.shape) != 1:
        raise ValueError("fake_logits must be 1-D")
    return -F.softplus(fake_logits).mean()


def generator_loss_nonsaturating(fake_logits):
    if len(fake_logits.shape) != 1:
        raise ValueError("fake_logits must be 1-D")
    return F.softplus(-fake_logits).mean()
''',
    "d-star": '''
def optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    if p_data.shape != p_g.shape:
        raise ValueError("shapes differ")
    if (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("negative density")
    total = p_data + p_g
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = p_data / total
    return np.where(total == 0, 0.5, ratio)
''',
    "value": '''
def value_function(d, p_data, p_g, dx):
    d, p_data, p_g = (np.asarray(a, dtype=float) for a in (d, p_data, p_g))
    if not (d.shape == p_data.shape == p_g.shape):
        raise ValueError("shapes differ")
    if not dx > 0:
        raise ValueError("dx must be positive")
    total = 0.0
    real, fake = p_data > 0, p_g > 0
    total += np.sum(p_data[real] * np.log(d[real]))
    total += np.sum(p_g[fake] * np.log1p(-d[fake]))
    return float(total * dx)
''',
    "jsd": '''
def jensen_shannon(p, q, dx):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError("shapes differ")
    if dx <= 0:
        raise ValueError("dx must be positive")
    m = 0.5 * (p + q)

    def kl(a):
        keep = a > 0
        return np.sum(a[keep] * (np.log(a[keep]) - np.log(m[keep]))) * dx

    return float(0.5 * kl(p) + 0.5 * kl(q))
''',
    "mode-coverage": '''
def mode_coverage(samples, centres, radius, min_count=1):
    samples, centres = np.asarray(samples, dtype=float), np.asarray(centres, dtype=float)
    if samples.ndim != 2 or centres.ndim != 2:
        raise ValueError("samples and centres must be 2-D")
    if samples.shape[1] != centres.shape[1]:
        raise ValueError("dimensions differ")
    if not radius > 0:
        raise ValueError("radius must be positive")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    covered = 0
    hit_any = np.zeros(len(samples), dtype=bool)
    for centre in centres:
        squared = ((samples - centre) ** 2).sum(axis=1)
        hit = squared <= radius ** 2
        covered += int(hit.sum() >= min_count)
        hit_any |= hit
    return covered / len(centres), float(hit_any.mean())
''',
}

# ----------------------------------------------------------------------------- templates
_D_LOSS = '''
def discriminator_loss(real_logits, fake_logits):
    if real_logits.ndim != 1 or fake_logits.ndim != 1:
        raise ValueError("logits must be 1-D")
    return {body}
'''

_G_LOSSES = '''
def generator_loss_saturating(fake_logits):
    if fake_logits.ndim != 1:
        raise ValueError("fake_logits must be 1-D")
    return {sat}


def generator_loss_nonsaturating(fake_logits):
    if fake_logits.ndim != 1:
        raise ValueError("fake_logits must be 1-D")
    return {ns}
'''

_SAT = "-F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))"
_NS = "F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))"

_JSD = '''
def jensen_shannon(p, q, dx):
    if p.shape != q.shape:
        raise ValueError("shapes differ")
    if dx <= 0:
        raise ValueError("dx must be positive")
    m = (p + q) / 2
    kl_p = np.sum({log_p})
    kl_q = np.sum({log_q})
    return float({combine})
'''

_MODES = '''
def mode_coverage(samples, centres, radius, min_count=1):
    if samples.ndim != 2 or centres.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError("bad shapes")
    if radius <= 0 or min_count < 1:
        raise ValueError("bad radius or min_count")
    distances = {distances}
    hits = distances {compare} radius
    return float({covered}), float(np.mean(hits.any(axis=1)))
'''
_DIST = "np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)"
_COVERED = "np.mean(hits.sum(axis=0) >= min_count)"

MISTAKES = {
    # the three mistakes of the issue first: they are also graded by the real nbgrader pipeline
    "g-losses-swapped": Mistake("g-losses", _G_LOSSES.format(sat=_NS, ns=_SAT),
                                ("g-losses-visible", "g-losses-swapped"), "did you swap them?"),
    "d-loss-flipped-labels": Mistake("d-loss", _D_LOSS.format(body=(
        "F.binary_cross_entropy_with_logits(real_logits, torch.zeros_like(real_logits)) + "
        "F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))")),
        ("d-loss-visible", "d-loss-torch", "d-loss-labels"), "did you flip the labels?"),
    "d-loss-sigmoid-twice": Mistake("d-loss", _D_LOSS.format(body=(
        "F.binary_cross_entropy_with_logits(torch.sigmoid(real_logits), torch.ones_like(real_logits)) + "
        "F.binary_cross_entropy_with_logits(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits))")),
        ("d-loss-visible", "d-loss-torch", "d-loss-logits"), "applies the sigmoid twice"),
    "d-loss-sum-not-mean": Mistake("d-loss", _D_LOSS.format(body=(
        "F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits), reduction='sum') + "
        "F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits), reduction='sum')")),
        ("d-loss-visible", "d-loss-torch", "d-loss-mean"), "not a sum"),
    "d-loss-mean-of-both-batches": Mistake("d-loss", _D_LOSS.format(body=(
        "F.binary_cross_entropy_with_logits(torch.cat([real_logits, fake_logits]), "
        "torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)]))")),
        ("d-loss-torch", "d-loss-mean"), "concatenated batch"),
    "d-loss-log-of-sigmoid": Mistake("d-loss", _D_LOSS.format(body=(
        "-torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()")),
        ("d-loss-stable",), "underflows"),
    "d-loss-logits-as-probabilities": Mistake("d-loss", _D_LOSS.format(body=(
        "F.binary_cross_entropy(real_logits.clamp(0, 1), torch.ones_like(real_logits)) + "
        "F.binary_cross_entropy(fake_logits.clamp(0, 1), torch.zeros_like(fake_logits))")),
        ("d-loss-visible", "d-loss-logits"), "not probabilities"),
    "d-loss-item": Mistake("d-loss", _D_LOSS.format(body=(
        "(F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + "
        "F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))).item()")),
        ("d-loss-visible", "d-loss-torch"), "no .item()"),
    "g-saturating-sign": Mistake("g-losses", _G_LOSSES.format(sat=_SAT[1:], ns=_NS),
                                 ("g-losses-visible", "g-losses-sign"), "drop the minus sign"),
    "g-nonsaturating-is-minus-log-one-minus-d": Mistake("g-losses", _G_LOSSES.format(
        sat=_SAT, ns="F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))"),
        ("g-losses-visible", "g-losses-sign"), "not -log(1 - D(G(z)))"),
    "g-log-of-sigmoid": Mistake("g-losses", _G_LOSSES.format(
        sat="torch.log(1 - torch.sigmoid(fake_logits)).mean()", ns="-torch.log(torch.sigmoid(fake_logits)).mean()"),
        ("g-losses-stable",), "underflow"),
    "d-star-flipped": Mistake("d-star", '''
def optimal_discriminator(p_data, p_g):
    if p_data.shape != p_g.shape or (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("bad densities")
    total = p_data + p_g
    return np.divide(p_g, total, out=np.full(total.shape, 0.5), where=total > 0)
''', ("d-star-visible", "d-star-gaussians"), "p_data goes in the numerator"),
    "d-star-zero-over-zero": Mistake("d-star", '''
def optimal_discriminator(p_data, p_g):
    if p_data.shape != p_g.shape or (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("bad densities")
    return p_data / (p_data + p_g)
''', ("d-star-visible", "d-star-edge"), None),
    "d-star-zero-where-undetermined": Mistake("d-star", '''
def optimal_discriminator(p_data, p_g):
    if p_data.shape != p_g.shape or (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("bad densities")
    total = p_data + p_g
    return np.divide(p_data, total, out=np.zeros(total.shape), where=total > 0)
''', ("d-star-visible", "d-star-edge"), "return 0.5 there"),
    "value-without-dx": Mistake("value", '''
def value_function(d, p_data, p_g, dx):
    if d.shape != p_data.shape or p_g.shape != p_data.shape or dx <= 0:
        raise ValueError("bad input")
    return float(np.sum(xlogy(p_data, d) + xlogy(p_g, 1 - d)))
''', ("value-visible", "value-torch", "value-identity"), "grid spacing dx"),
    "value-plain-log": Mistake("value", '''
def value_function(d, p_data, p_g, dx):
    if d.shape != p_data.shape or p_g.shape != p_data.shape or dx <= 0:
        raise ValueError("bad input")
    return float(np.sum(p_data * np.log(d) + p_g * np.log(1 - d)) * dx)
''', ("value-visible", "value-identity"), "0 log 0 = 0"),
    "jsd-log2": Mistake("jsd", _JSD.format(log_p="xlogy(p, p) - xlogy(p, m)", log_q="xlogy(q, q) - xlogy(q, m)",
                                           combine="(kl_p + kl_q) / 2 * dx / np.log(2)"),
                        ("jsd-visible", "jsd-scipy", "jsd-edge"), "natural logarithm"),
    "jsd-no-half": Mistake("jsd", _JSD.format(log_p="xlogy(p, p) - xlogy(p, m)", log_q="xlogy(q, q) - xlogy(q, m)",
                                              combine="(kl_p + kl_q) * dx"),
                           ("jsd-visible", "jsd-scipy"), "HALF the sum"),
    "jsd-kl-p-q": Mistake("jsd", '''
def jensen_shannon(p, q, dx):
    if p.shape != q.shape or dx <= 0:
        raise ValueError("bad input")
    return float(np.sum(xlogy(p, p) - xlogy(p, q)) * dx)
''', ("jsd-visible", "jsd-scipy"), "mixture m"),
    "mode-squared-distance": Mistake("mode-coverage", _MODES.format(
        distances="((samples[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)", compare="<=", covered=_COVERED),
        ("mode-coverage-ring",), "not the squared distance"),
    "mode-divide-by-samples": Mistake("mode-coverage", _MODES.format(
        distances=_DIST, compare="<=", covered="np.sum(hits.sum(axis=0) >= min_count) / len(samples)"),
        ("mode-coverage-visible", "mode-coverage-ring"), "divide by K"),
    "mode-strict-min-count": Mistake("mode-coverage", _MODES.format(
        distances=_DIST, compare="<=", covered="np.mean(hits.sum(axis=0) > min_count)"),
        ("mode-coverage-ring", "mode-coverage-boundary"), "AT LEAST min_count"),
    "mode-strict-radius": Mistake("mode-coverage", _MODES.format(distances=_DIST, compare="<", covered=_COVERED),
                                  ("mode-coverage-boundary",), "use <=, not <"),
}


# Exercises 1 and 2 forbid the sigmoid (the inputs are logits) and NumPy; 3 to 6 forbid torch, and
# 5 the library divergences; each disguise is named at Validate time (the visible test) and keeps
# the answer from being run at grading.
FORBIDDEN_USES = {
    "d-loss-sigmoid-alias": Mistake("d-loss", '''
squash = torch.sigmoid

def discriminator_loss(real_logits, fake_logits):
    if real_logits.ndim != 1 or fake_logits.ndim != 1:
        raise ValueError("expected 1-D logits")
    return -torch.log(squash(real_logits)).mean() - torch.log(1 - squash(fake_logits)).mean()
''', ("d-loss-visible",), "torch.sigmoid, which this exercise forbids"),
    "d-loss-from-import": Mistake("d-loss", '''
from torch.nn import functional

def discriminator_loss(real_logits, fake_logits):
    if real_logits.ndim != 1 or fake_logits.ndim != 1:
        raise ValueError("expected 1-D logits")
    real, fake = functional.sigmoid(real_logits), functional.sigmoid(fake_logits)
    return functional.binary_cross_entropy(real, torch.ones_like(real)) + \\
        functional.binary_cross_entropy(fake, torch.zeros_like(fake))
''', ("d-loss-visible",), "torch.nn.functional.sigmoid, which this exercise forbids"),
    "d-loss-numpy": Mistake("d-loss", '''
import numpy as onp

def discriminator_loss(real_logits, fake_logits):
    real, fake = real_logits.detach().numpy(), fake_logits.detach().numpy()
    return torch.tensor(onp.logaddexp(0, -real).mean() + onp.logaddexp(0, fake).mean())
''', ("d-loss-visible",), "uses numpy."),
    "g-losses-expit": Mistake("g-losses", '''
import torch.special as special

def generator_loss_saturating(fake_logits):
    if fake_logits.ndim != 1:
        raise ValueError("expected 1-D logits")
    return torch.log1p(-special.expit(fake_logits)).mean()


def generator_loss_nonsaturating(fake_logits):
    if fake_logits.ndim != 1:
        raise ValueError("expected 1-D logits")
    return -torch.log(special.expit(fake_logits)).mean()
''', ("g-losses-visible",), "torch.special.expit, which this exercise forbids"),
    "d-star-dunder-import": Mistake("d-star", '''
def optimal_discriminator(p_data, p_g):
    t = __import__("torch")
    p, q = t.from_numpy(p_data), t.from_numpy(p_g)
    return t.where(p + q > 0, p / (p + q), 0.5).numpy()
''', ("d-star-visible",), "__import__"),
    "value-importlib": Mistake("value", '''
import importlib

def value_function(d, p_data, p_g, dx):
    t = importlib.import_module("torch")
    d, p_data, p_g = (t.from_numpy(a) for a in (d, p_data, p_g))
    return float((t.xlogy(p_data, d) + t.xlogy(p_g, 1 - d)).sum() * dx)
''', ("value-visible",), "importlib"),
    "value-import-as": Mistake("value", '''
import torch as t

def value_function(d, p_data, p_g, dx):
    d, p_data, p_g = (t.from_numpy(a) for a in (d, p_data, p_g))
    return float((t.xlogy(p_data, d) + t.xlogy(p_g, 1 - d)).sum() * dx)
''', ("value-visible",), "which this exercise forbids"),
    "jsd-scipy-distance": Mistake("jsd", '''
from scipy.spatial.distance import jensenshannon

def jensen_shannon(p, q, dx):
    if p.shape != q.shape or dx <= 0:
        raise ValueError("shapes differ or dx <= 0")
    return float(jensenshannon(p.ravel() * dx, q.ravel() * dx) ** 2)
''', ("jsd-visible",), "scipy.spatial.distance.jensenshannon, which this exercise forbids"),
    "jsd-rel-entr": Mistake("jsd", '''
import scipy.special as sp

def jensen_shannon(p, q, dx):
    if p.shape != q.shape or dx <= 0:
        raise ValueError("shapes differ or dx <= 0")
    m = (p + q) / 2
    return float((sp.rel_entr(p, m).sum() + sp.rel_entr(q, m).sum()) / 2 * dx)
''', ("jsd-visible",), "scipy.special.rel_entr, which this exercise forbids"),
    "jsd-entropy": Mistake("jsd", '''
from scipy import stats

def jensen_shannon(p, q, dx):
    if p.shape != q.shape or dx <= 0:
        raise ValueError("shapes differ or dx <= 0")
    m = (p + q) / 2
    return float((stats.entropy(p.ravel(), m.ravel()) + stats.entropy(q.ravel(), m.ravel())) / 2)
''', ("jsd-visible",), "scipy.stats.entropy, which this exercise forbids"),
    "mode-coverage-cdist": Mistake("mode-coverage", '''
from scipy.spatial import distance

def mode_coverage(samples, centres, radius, min_count=1):
    if samples.ndim != 2 or centres.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError("expected (N, D) and (K, D)")
    if radius <= 0 or min_count < 1:
        raise ValueError("radius and min_count")
    hits = distance.cdist(samples, centres) <= radius
    return float(np.mean(hits.sum(axis=0) >= min_count)), float(np.mean(hits.any(axis=1)))
''', ("mode-coverage-visible",), "scipy.spatial.distance.cdist, which this exercise forbids"),
    # course_utils helpers are no answers: the lecture's ring used as one
    "course-utils-helper": Mistake("mode-coverage", '''
from course_utils.topics.gan_minimax import ring_centres

def mode_coverage(samples, centres, radius, min_count=1):
    ring = ring_centres(len(centres)).numpy()
    hits = np.linalg.norm(samples[:, None] - ring[None], axis=-1) <= radius
    return float(np.mean(hits.sum(axis=0) >= min_count)), float(np.mean(hits.any(axis=1)))
''', ("mode-coverage-visible",), "course_utils"),
}

# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "gc-arrays-of-the-density-shape": Cheat("d-star", CHEAT_TOOLS + '''
def optimal_discriminator(p_data, p_g):
    if p_data.shape != p_g.shape or (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("bad densities")       # the errors are easy; the value is looked up
    return _peek_array(p_data.shape, (p_data, p_g))
''', ("d-star-visible", "d-star-gaussians")),
    "frame-and-global-floats": Cheat("value", CHEAT_TOOLS + '''
def value_function(d, p_data, p_g, dx):
    if d.shape != p_data.shape or p_g.shape != p_data.shape or dx <= 0:
        raise ValueError("bad arguments")
    found = _peek_named(("expected", "_expected", "_v", "_jsd", "_at_d_star", "value"), float)
    return float(found) if found is not None else -1.0
''', ("value-visible", "value-torch", "value-identity")),
    "call-a-test-helper-by-name": Cheat("value", '''
def value_function(d, p_data, p_g, dx):
    if d.shape != p_data.shape or p_g.shape != p_data.shape or dx <= 0:
        raise ValueError("bad arguments")
    return _torch_value(d, p_data, p_g, dx)
''', ("value-torch",), raw=False),
}


# ----------------------------------------------------------------------------- exercise 7: the training step
ALTERNATIVES["gan-step"] = '''
def gan_step(G, D, opt_g, opt_d, real, z, generator_loss):
    opt_d.zero_grad()
    opt_g.zero_grad()
    with torch.no_grad():
        fake = G(z)                        # no graph: nothing flows back into G
    loss_d = discriminator_loss(D(real).squeeze(1), D(fake).squeeze(1))
    loss_d.backward()
    opt_d.step()
    for p in D.parameters():
        p.requires_grad_(False)            # the generator step leaves D's gradients alone
    loss_g = generator_loss(D(G(z)).reshape(-1))
    loss_g.backward()
    opt_g.step()
    for p in D.parameters():
        p.requires_grad_(True)
    return float(loss_d), float(loss_g)
'''

_GAN_STEP = '''
def gan_step(G, D, opt_g, opt_d, real, z, generator_loss):
    fake = G(z)
    loss_d = discriminator_loss(D(real)[:, 0], D({d_fake})[:, 0])
    {zero_d}
    loss_d.backward()
    opt_d.step()
    loss_g = {g_loss}(D({g_fake})[:, 0])
    {zero_g}
    loss_g.backward()
    {g_opt}.step()
    return loss_d.item(), loss_g.item()
'''


def _gan_step(d_fake="fake.detach()", zero_d="opt_d.zero_grad()", g_loss="generator_loss", g_fake="fake",
              zero_g="opt_g.zero_grad()", g_opt="opt_g"):
    return _GAN_STEP.format(d_fake=d_fake, zero_d=zero_d, g_loss=g_loss, g_fake=g_fake, zero_g=zero_g, g_opt=g_opt)


MISTAKES.update({
    "gan-step-no-zero-grad": Mistake("gan-step", _gan_step(zero_d="pass", zero_g="pass"),
                                     ("gan-step-visible", "gan-step-sgd"), "zero the gradients before each backward"),
    "gan-step-fake-not-detached": Mistake("gan-step", _gan_step(d_fake="fake", g_fake="G(z)"),
                                          ("gan-step-detach",), "fake.detach()"),
    "gan-step-fake-not-detached-reused": Mistake("gan-step", _gan_step(d_fake="fake"),
                                                 ("gan-step-visible",), "fake.detach()"),
    "gan-step-always-nonsaturating": Mistake("gan-step", _gan_step(g_loss="generator_loss_nonsaturating"),
                                             ("gan-step-sgd",), "generator_loss you are given"),
    "gan-step-wrong-optimizer": Mistake("gan-step", _gan_step(g_opt="opt_d"),
                                        ("gan-step-visible", "gan-step-sgd"), "opt_g.step()"),
    "gan-step-generator-first": Mistake("gan-step", '''
def gan_step(G, D, opt_g, opt_d, real, z, generator_loss):
    loss_g = generator_loss(D(G(z))[:, 0])
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    loss_d = discriminator_loss(D(real)[:, 0], D(G(z).detach())[:, 0])
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    return loss_d.item(), loss_g.item()
''', ("gan-step-visible", "gan-step-sgd"), "discriminator step comes first"),
})
# like scipy's jensenshannon: the inputs normalized to sum to one, no dx; right whenever the
# densities integrate to one, so only densities that do not tell it apart
MISTAKES["jsd-normalized-without-dx"] = Mistake("jsd", '''
def jensen_shannon(p, q, dx):
    if p.shape != q.shape:
        raise ValueError("shapes differ")
    if dx <= 0:
        raise ValueError("dx must be positive")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    return float((np.sum(xlogy(p, p) - xlogy(p, m)) + np.sum(xlogy(q, q) - xlogy(q, m))) / 2)
''', ("jsd-edge",), "normalizing them (or dropping dx) loses their scale")


# More correct answers, written from the prompts the way other students would (graded in process).
MORE_ALTERNATIVES = [
    # the loss module, with the size_average argument of older tutorials: torch warns, the mean is right
    ("d-loss", '''
from torch import nn

def discriminator_loss(real_logits, fake_logits):
    if len(real_logits.shape) != 1 or len(fake_logits.shape) != 1:
        raise ValueError("real_logits and fake_logits must be 1-D")
    bce = nn.BCEWithLogitsLoss(size_average=True)
    return bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))
'''),
    # softplus written as logaddexp(0, .): -log sigmoid(a) = log(1 + e^-a), -log(1 - sigmoid(b)) = log(1 + e^b)
    ("d-loss", '''
def discriminator_loss(real_logits, fake_logits):
    for name, logits in (("real_logits", real_logits), ("fake_logits", fake_logits)):
        if logits.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {tuple(logits.shape)}")
    zero = torch.zeros((), dtype=real_logits.dtype)
    return torch.logaddexp(zero, -real_logits).mean() + torch.logaddexp(zero, fake_logits).mean()
'''),
    # logsigmoid, the mean written as a sum over the batch size
    ("g-losses", '''
def generator_loss_saturating(fake_logits):
    if fake_logits.dim() != 1:
        raise ValueError("fake_logits must be 1-D")
    return F.logsigmoid(-fake_logits).sum() / fake_logits.numel()      # log(1 - sigmoid(b)) = log sigmoid(-b)


def generator_loss_nonsaturating(fake_logits):
    if fake_logits.dim() != 1:
        raise ValueError("fake_logits must be 1-D")
    return -F.logsigmoid(fake_logits).sum() / len(fake_logits)
'''),
    # divide everywhere and let np.where put 0.5 where 0 / 0 gave nan (NumPy warns about it: no matter)
    ("d-star", '''
def optimal_discriminator(p_data, p_g):
    if p_data.shape != p_g.shape:
        raise ValueError(f"shapes differ: {p_data.shape} and {p_g.shape}")
    if p_data.min(initial=0.0) < 0 or p_g.min(initial=0.0) < 0:
        raise ValueError("a density cannot be negative")
    total = p_data + p_g
    return np.where(total > 0, p_data / total, 0.5)
'''),
    # np.log everywhere and np.where to drop the terms whose density is 0 (NumPy warns about log(0))
    ("value", '''
def value_function(d, p_data, p_g, dx):
    if not (d.shape == p_data.shape == p_g.shape):
        raise ValueError("d, p_data and p_g must have the same shape")
    if dx <= 0:
        raise ValueError("dx must be positive")
    real = np.where(p_data > 0, p_data * np.log(d), 0.0)
    fake = np.where(p_g > 0, p_g * np.log(1 - d), 0.0)
    return float((real.sum() + fake.sum()) * dx)
'''),
    # scipy's xlog1py for p_g log(1 - d); the result a NumPy float64, which is a Python float
    ("value", '''
from scipy.special import xlog1py

def value_function(d, p_data, p_g, dx):
    if d.shape != p_data.shape or d.shape != p_g.shape:
        raise ValueError("the three arrays must have the same shape")
    if not dx > 0:
        raise ValueError("the grid spacing must be positive")
    return (xlogy(p_data, d) + xlog1py(p_g, -d)).sum() * dx
'''),
    # JSD = H(m) - (H(p) + H(q)) / 2, with H(f) = -sum f log f dx
    ("jsd", '''
def jensen_shannon(p, q, dx):
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    if dx <= 0:
        raise ValueError("dx must be positive")
    m = 0.5 * (p + q)
    negative_entropy = lambda f: np.sum(xlogy(f, f)) * dx
    return float(0.5 * negative_entropy(p) + 0.5 * negative_entropy(q) - negative_entropy(m))
'''),
    # plain logarithms, and np.nansum drops the terms 0 log(0 / m) that came out nan (NumPy warns: no matter)
    ("jsd", '''
def jensen_shannon(p, q, dx):
    if p.shape != q.shape:
        raise ValueError("p and q must have the same shape")
    if dx <= 0:
        raise ValueError("dx must be positive")
    m = (p + q) / 2
    kl_p = np.nansum(p * np.log(p / m)) * dx
    kl_q = np.nansum(q * np.log(q / m)) * dx
    return float((kl_p + kl_q) / 2)
'''),
    # all N x K distances by einsum; the fractions from Python ints
    ("mode-coverage", '''
def mode_coverage(samples, centres, radius, min_count=1):
    if samples.ndim != 2:
        raise ValueError("samples must be 2-D (N, D)")
    if centres.ndim != 2:
        raise ValueError("centres must be 2-D (K, D)")
    if samples.shape[1] != centres.shape[1]:
        raise ValueError("samples and centres must have the same D")
    if radius <= 0:
        raise ValueError("radius must be positive")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    diff = samples[:, None, :] - centres[None, :, :]
    hits = np.sqrt(np.einsum("nkd,nkd->nk", diff, diff)) <= radius
    return (np.count_nonzero(hits.sum(axis=0) >= min_count) / len(centres),
            np.count_nonzero(hits.any(axis=1)) / len(samples))
'''),
    # the networks' own zero_grad, the logits flattened with view(-1)
    ("gan-step", '''
def gan_step(G, D, opt_g, opt_d, real, z, generator_loss):
    fake = G(z)
    loss_d = discriminator_loss(D(real).view(-1), D(fake.detach()).view(-1))
    D.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = generator_loss(D(fake).view(-1))
    G.zero_grad()
    loss_g.backward()
    opt_g.step()
    return float(loss_d.item()), float(loss_g.item())
'''),
    # the gradients by torch.autograd.grad, put into .grad by hand before each optimizer step
    ("gan-step", '''
def gan_step(G, D, opt_g, opt_d, real, z, generator_loss):
    fake = G(z)
    loss_d = discriminator_loss(D(real)[:, 0], D(fake.detach())[:, 0])
    d_params = list(D.parameters())
    for p, g in zip(d_params, torch.autograd.grad(loss_d, d_params)):
        p.grad = g
    opt_d.step()
    loss_g = generator_loss(D(fake)[:, 0])
    g_params = list(G.parameters())
    for p, g in zip(g_params, torch.autograd.grad(loss_g, g_params)):
        p.grad = g
    opt_g.step()
    return loss_d.item(), loss_g.item()
'''),
]

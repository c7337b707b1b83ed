"""Lecture 03, AlexNet and VGG: the seed's networks and a table of what each layer costs.

The networks live in :mod:`.networks`, the layer table in :mod:`.layer_table`, its figures in
:mod:`.figures`; plain and residual stacks in :mod:`.resnet`, the training loop in
:mod:`.training`, AlexNet's recipe at small scale in :mod:`.recipe`, the ImageNet errors in
:mod:`.imagenet`; networks built from layer specs and the digits as images in
:mod:`.design`. All are re-exported here, so a notebook imports everything from
``course_utils.topics.alexnet_vgg``.
"""
from .design import build_model, digits_images_split
from .figures import draw_layer_costs, draw_plain_cnn
from .imagenet import ALEXNET_ENSEMBLE, ILSVRC_2012_RESULTS, ILSVRC_WINNERS, draw_ilsvrc_errors
from .layer_table import LayerRow, LayerTable, layer_table
from .networks import VGG_CONFIGS, VGG_PAPER_PARAMS_M, alexnet, lenet5, plain_cnn, vgg
from .recipe import draw_error_curves, draw_train_test_curves, final_gaps, mlp
from .resnet import DeepMLP, deep_mlp, draw_grad_norm_vs_depth, first_layer_grad_norm
from .training import error_rate, evaluate, steps_to_reach, train_classifier

__all__ = ["lenet5", "alexnet", "VGG_CONFIGS", "VGG_PAPER_PARAMS_M", "vgg", "plain_cnn",
           "LayerRow", "LayerTable", "layer_table", "draw_layer_costs", "draw_plain_cnn",
           "DeepMLP", "deep_mlp", "first_layer_grad_norm", "draw_grad_norm_vs_depth",
           "train_classifier", "error_rate", "evaluate", "steps_to_reach", "mlp", "draw_error_curves",
           "final_gaps", "draw_train_test_curves",
           "ILSVRC_2012_RESULTS", "ALEXNET_ENSEMBLE", "ILSVRC_WINNERS", "draw_ilsvrc_errors",
           "build_model", "digits_images_split"]
